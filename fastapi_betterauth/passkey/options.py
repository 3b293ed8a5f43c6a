"""The passkey plugin's options (better-auth's `passkey({...})`), under `AuthSettings.plugins.passkey`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..plugins.base import PluginOptions

Requirement = Literal["discouraged", "preferred", "required"]


class PasskeyOptions(PluginOptions):
    """Passkeys (better-auth's passkey plugin), with better-auth's defaults."""

    rp_id: str | None = None
    """The relying party id: the domain passkeys are bound to (better-auth's `rpID`). Default: the host of
    `BETTER_AUTH_URL`. Never an IP address (browsers refuse those); `localhost` is fine in development."""
    rp_name: str | None = None
    """The name authenticators show (`rpName`). Default: `email.app_name`."""
    origins: list[str] | None = None
    """The exact origins a ceremony may come from (`origin`). Default: the base URL's origin and the trusted origins
    (`trusted_origins`, patterns included)."""
    authenticator_attachment: Literal["platform", "cross-platform"] | None = None
    """Ask for built-in (`platform`) or roaming (`cross-platform`) authenticators at registration; a request's
    `authenticatorAttachment` wins (`authenticatorSelection.authenticatorAttachment`)."""
    resident_key: Requirement = "preferred"
    """Discoverable credentials, which allow sign-in without a username (`authenticatorSelection.residentKey`)."""
    user_verification: Requirement = "preferred"
    """User verification (PIN, biometrics) asked for at registration and sign-in. With `required`, a response
    without it is refused (better-auth never enforces it)."""
    attestation: Literal["none", "indirect", "direct", "enterprise"] = "none"
    """Attestation conveyance asked for at registration (better-auth always asks for `none`). Attestation
    statements that are sent are verified; none is trusted against a metadata service."""
    timeout_ms: int = Field(default=60_000, ge=1_000)
    """The ceremony timeout given to the browser, in milliseconds (SimpleWebAuthn's default)."""
    challenge_max_age: int = Field(default=300, ge=10, le=3_600)
    """Seconds a challenge stays usable (better-auth: 300). Each is single-use."""
    challenge_cookie: str = "better-auth-passkey"
    """The challenge cookie's name after the cookie prefix (`advanced.webAuthnChallengeCookie`)."""
    fresh_session_required: bool = True
    """Adding a passkey needs a fresh session (`session.fresh_age`), as better-auth's `freshSessionMiddleware`."""
    rate_limit_window: int = Field(default=60, ge=1)
    """Seconds of the rate-limit window of the ceremony routes."""
    rate_limit_max: int = Field(default=20, ge=1)
    """Requests per window and client address of each ceremony route."""
