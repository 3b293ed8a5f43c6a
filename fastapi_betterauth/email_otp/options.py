"""The email-otp plugin's options (better-auth's `emailOTP({...})`), under `AuthSettings.plugins.email_otp`."""

from __future__ import annotations

from pydantic import Field

from ..plugins.base import PluginOptions


class EmailOTPOptions(PluginOptions):
    """One-time codes by email (better-auth's email-otp plugin)."""

    otp_length: int = Field(default=6, ge=4, le=12)
    """Digits of a code (better-auth's `otpLength`)."""
    expires_in: int = Field(default=300, ge=1)
    """Seconds a code stays valid (better-auth's `expiresIn`)."""
    allowed_attempts: int = Field(default=3, ge=1)
    """Wrong guesses a code survives; the next try answers 403 `TOO_MANY_ATTEMPTS` and the code is gone
    (better-auth's `allowedAttempts`)."""
    disable_sign_up: bool = False
    """A sign-in code is mailed only to existing users, and `sign-in/email-otp` creates nobody (better-auth's
    `disableSignUp`)."""
    send_verification_on_sign_up: bool = False
    """A new user who signs up with email and password is also mailed an `email-verification` code (better-auth's
    `sendVerificationOnSignUp`)."""
    override_default_email_verification: bool = False
    """Wherever the core would mail a verification link (sign-up with `email_verification.send_on_sign_up`,
    `send-verification-email`, a refused unverified sign-in), an `email-verification` code is mailed instead
    (better-auth's `overrideDefaultEmailVerification`)."""
    accept_plain_otps: bool = True
    """Also accept codes a Node better-auth app sharing the database stored in plain text (its default
    `storeOTP: "plain"`). Ours are always stored hashed (`storeOTP: "hashed"`), docs/plugins/email-otp.md."""
    rate_limit_window: int = Field(default=60, ge=1)
    """Seconds of the rate-limit window of each route (better-auth's `rateLimit.window`)."""
    rate_limit_max: int = Field(default=3, ge=1)
    """Requests per window and client address, per route (better-auth's `rateLimit.max`)."""
