"""better-auth's email-otp plugin: one-time codes mailed to sign in, verify an address or reset a password
(docs/plugins/email-otp.md)."""

from .errors import EmailOTPErrorCode
from .options import EmailOTPOptions
from .plugin import EmailOTP

__all__ = ["EmailOTP", "EmailOTPErrorCode", "EmailOTPOptions"]
