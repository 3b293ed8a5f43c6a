"""better-auth's two-factor plugin: TOTP, backup codes, emailed codes and trusted devices
(docs/plugins/two-factor.md)."""

from .deps import require_two_factor
from .errors import TwoFactorErrorCode
from .options import TwoFactorOptions
from .plugin import TwoFactor

__all__ = ["TwoFactor", "TwoFactorErrorCode", "TwoFactorOptions", "require_two_factor"]
