"""The two-factor plugin's options (better-auth's `twoFactor({...})`), under `AuthSettings.plugins.two_factor`."""

from __future__ import annotations

from pydantic import Field

from ..plugins.base import PluginOptions


class TwoFactorOptions(PluginOptions):
    """Two-factor authentication (better-auth's two-factor plugin), with better-auth's defaults."""

    issuer: str | None = None
    """The issuer shown by authenticator apps (default: `email.app_name`); a body's `issuer` on `enable` wins."""
    totp_digits: int = Field(default=6, ge=6, le=8)
    """Digits of a TOTP code (better-auth's `totpOptions.digits`)."""
    totp_period: int = Field(default=30, ge=15, le=120)
    """Seconds each TOTP code lasts (`totpOptions.period`); codes of one period before and after are accepted."""
    skip_verification_on_enable: bool = False
    """`enable` switches two-factor on at once, without a first `verify-totp` (better-auth's option)."""
    otp_enabled: bool = True
    """Codes sent by email (`send-otp`/`verify-otp`, through the mailer as a `two-factor-otp` email); better-auth
    offers them when `otpOptions.sendOTP` is given."""
    otp_period_minutes: int = Field(default=3, ge=1)
    """Minutes an emailed code stays valid (`otpOptions.period`)."""
    otp_digits: int = Field(default=6, ge=4, le=10)
    """Digits of an emailed code (`otpOptions.digits`)."""
    otp_allowed_attempts: int = Field(default=5, ge=1)
    """Wrong guesses of one emailed code before a new one must be sent (`otpOptions.allowedAttempts`)."""
    backup_code_amount: int = Field(default=10, ge=1, le=100)
    """Backup codes generated at a time (`backupCodeOptions.amount`)."""
    backup_code_length: int = Field(default=10, ge=6, le=64)
    """Characters of a backup code, a `-` put in the middle (`backupCodeOptions.length`)."""
    two_factor_cookie_max_age: int = Field(default=600, ge=30)
    """Seconds a sign-in challenge (the `two_factor` cookie) lasts (`twoFactorCookieMaxAge`)."""
    challenge_attempts: int = Field(default=5, ge=1)
    """Failed verifications of one sign-in challenge before a new sign-in is needed (better-auth: 5)."""
    trust_device_max_age: int = Field(default=2_592_000, ge=60)
    """Seconds a trusted device skips the second factor (`trustDeviceMaxAge`, 30 days), renewed at each sign-in."""
    account_lockout_enabled: bool = True
    """Lock two-factor sign-ins of an account after `max_failed_attempts` consecutive failures, across challenges
    and factors (`accountLockout.enabled`)."""
    max_failed_attempts: int = Field(default=10, ge=1)
    """Consecutive failed verifications before the lock (`accountLockout.maxFailedAttempts`)."""
    lockout_duration_seconds: int = Field(default=900, ge=1)
    """How long the lock lasts (`accountLockout.durationSeconds`)."""
