"""The magic-link plugin's options (better-auth's `magicLink({...})`), under `AuthSettings.plugins.magic_link`."""

from __future__ import annotations

from pydantic import Field

from ..plugins.base import PluginOptions


class MagicLinkOptions(PluginOptions):
    """Magic links (better-auth's magic-link plugin)."""

    expires_in: int = Field(default=300, ge=1)
    """Seconds a link stays valid (better-auth's `expiresIn`)."""
    disable_sign_up: bool = False
    """A link to an unknown address is still mailed, but following it redirects with
    `error=new_user_signup_disabled` instead of creating the user (better-auth's `disableSignUp`)."""
    accept_plain_tokens: bool = True
    """Also accept links whose token a Node better-auth app sharing the database stored in plain text (its default
    `storeToken: "plain"`). Ours are always stored hashed (`storeToken: "hashed"`), docs/plugins/magic-link.md."""
    rate_limit_window: int = Field(default=60, ge=1)
    """Seconds of the rate-limit window of each route (better-auth's `rateLimit.window`)."""
    rate_limit_max: int = Field(default=5, ge=1)
    """Requests per window and client address, per route (better-auth's `rateLimit.max`)."""
