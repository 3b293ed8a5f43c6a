"""The username plugin's options (better-auth's `username({...})`), under `AuthSettings.plugins.username`."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from ..plugins.base import PluginOptions

Validator = Callable[[str], bool]


class UsernameOptions(PluginOptions):
    """Usernames (better-auth's username plugin). The callables can only be given in code."""

    min_username_length: int = Field(default=3, ge=1)
    """Shorter usernames answer `USERNAME_TOO_SHORT`."""
    max_username_length: int = Field(default=30, ge=1)
    """Longer usernames answer `USERNAME_TOO_LONG`."""
    username_validator: Validator | None = None
    """Which usernames are allowed (default: letters, digits, `_` and `.` of ASCII); others answer
    `INVALID_USERNAME`."""
    lower_case: bool = True
    """Usernames are kept and compared in lower case (better-auth's default normalisation; `false` keeps them as
    typed, better-auth's `usernameNormalization: false`)."""
    validate_after_normalization: bool = False
    """Check length and characters of the normalised username rather than of what was typed (better-auth's
    `validationOrder.username: "post-normalization"`)."""
    display_username_validator: Validator | None = None
    """Which display usernames are allowed (default: any); others answer `INVALID_DISPLAY_USERNAME`."""
    immutable_username: bool = False
    """A user who has a username cannot change it (`update-user` answers `USERNAME_IS_IMMUTABLE`)."""
