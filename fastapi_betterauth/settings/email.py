"""Email and password sign-in, email verification, the user's own account (change of address, deletion), and
email delivery."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from ..fields.spec import FieldSpec
from .durations import Duration


class EmailAndPasswordSettings(BaseModel):
    """Email and password sign-up and sign-in (better-auth `emailAndPassword.*`)."""

    enabled: bool = True
    """Email and password sign-up and sign-in (off: 400 `EMAIL_PASSWORD_DISABLED`)."""
    disable_sign_up: bool = False
    """Refuse new email and password sign-ups (400 `EMAIL_PASSWORD_SIGN_UP_DISABLED`); sign-in still works."""
    min_password_length: int = Field(default=8, ge=1)
    """Shortest accepted new password, in characters (code points); shorter ones get 400 `PASSWORD_TOO_SHORT`."""
    max_password_length: int = Field(default=128, ge=1, le=4096)
    """Longest accepted new password, in characters; longer ones get 400 `PASSWORD_TOO_LONG`."""
    auto_sign_in: bool = True
    """Sign the user in right after sign-up."""
    require_email_verification: bool = False
    """Password sign-in needs a verified address (403 `EMAIL_NOT_VERIFIED`), and sign-up does not sign in."""
    password_hasher: Literal["argon2id", "better-auth-scrypt"] | None = None
    """None: `argon2id`, or `better-auth-scrypt` with `shared_with_node`. `better-auth-scrypt` keeps every hash in
    the format a Node better-auth app sharing the database can verify (argon2id and bcrypt hashes are moved to it at
    sign-in); `argon2id` moves every other hash to argon2id at sign-in."""
    password_hash_concurrency: int = Field(default=0, ge=0)
    """How many password hashes may run at once in worker threads (0 = the number of CPUs)."""
    password_hash_nice: int = Field(default=19, ge=0, le=19)
    """How far below the rest of the process the hashing threads run (Linux nice steps; 0 = the same priority).
    With 19, hashing takes only what request handling leaves of a CPU (about 1.5% of a saturated one)."""
    reset_password_token_expires_in: Duration = Field(default=timedelta(hours=1), gt=timedelta(0))
    """Lifetime of an emailed password-reset link."""
    revoke_sessions_on_password_reset: bool = True
    """A password reset ends every session of the user (L8): a reset usually follows a compromise. better-auth's
    default is false; set it so to keep sessions (e.g. for a Node better-auth app sharing the database)."""
    block_common_passwords: bool = False
    """Refuse passwords from the shipped list of common passwords (NIST 800-63B asks for a blocklist)."""


class EmailVerificationSettings(BaseModel):
    """Email verification links (better-auth `emailVerification.*`)."""

    expires_in: Duration = Field(default=timedelta(hours=1), gt=timedelta(0))
    """Lifetime of an emailed verification link."""
    send_on_sign_up: bool | None = None
    """Send a verification email at sign-up; by default when `require_email_verification` is on."""
    send_on_sign_in: bool = False
    """With `require_email_verification`: a sign-in refused for an unverified email sends a fresh link."""
    auto_sign_in_after_verification: bool = False
    """Following the link signs the user in."""


class ChangeEmailSettings(BaseModel):
    enabled: bool = False
    """Serve `POST /change-email` (else 400 `CHANGE_EMAIL_DISABLED`)."""
    update_email_without_verification: bool = False
    """An unverified current address may be changed at once (a verification link then goes to the new one)."""


class DeleteUserSettings(BaseModel):
    enabled: bool = False
    """Serve `POST /delete-user` (else a bare 404)."""
    delete_token_expires_in: Duration = Field(default=timedelta(days=1), gt=timedelta(0))
    """Lifetime of the emailed confirmation link (when account deletion is confirmed by email)."""
    confirm_by_email: bool = False
    """Mail a confirmation link instead of deleting at once (better-auth: `sendDeleteAccountVerification`)."""


class UserSettings(BaseModel):
    """The user's own account (better-auth `user.*`)."""

    change_email: ChangeEmailSettings = Field(default_factory=ChangeEmailSettings)
    delete_user: DeleteUserSettings = Field(default_factory=DeleteUserSettings)
    additional_fields: dict[str, FieldSpec] = Field(default_factory=dict)
    """The app's own user columns (better-auth `user.additionalFields`), by field name; from the environment as
    JSON: `BETTER_AUTH_USER__ADDITIONAL_FIELDS='{"plan": {"type": "string", "defaultValue": "free"}}'`.
    docs/extra-fields.md."""


class EmailSettings(BaseModel):
    """Email delivery. With `outbox`, messages are appended to that file as JSON lines; with `smtp_host`, sent by
    SMTP; otherwise printed to the log (development)."""

    outbox: str | None = None
    """Append every message as one JSON line to this file instead of sending it (development and tests)."""
    from_address: str = "no-reply@localhost"
    """The `From` address of every message."""
    app_name: str = "fastapi-betterauth"
    """Shown in subjects and bodies of the default templates."""
    templates_dir: str | None = None
    """A folder of Jinja2 email templates per type and locale (docs/concepts/email-templates.md); needs the `templates`
    extra. Types without files there keep the built-in wording."""
    locale_field: str | None = None
    """An additional user field holding the user's locale (e.g. `locale`): emails to the user are written in it;
    otherwise the request's `Accept-Language` chooses."""
    default_locale: str | None = None
    """The locale of emails when neither the user nor the request names one."""
    smtp_host: str | None = None
    """Send by SMTP through this host; without it (and without `outbox`) messages are only logged."""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    """The SMTP server's port."""
    smtp_username: str | None = None
    """SMTP login, when the server asks for one."""
    smtp_password: SecretStr | None = None
    """SMTP password."""
    smtp_tls: bool = False
    """Implicit TLS (usually port 465)."""
    smtp_starttls: bool = True
    """Upgrade with STARTTLS when the server offers it (port 587)."""
    smtp_timeout: Duration = Field(default=timedelta(seconds=10), gt=timedelta(0))
    """Connect and command timeout of the SMTP client."""
