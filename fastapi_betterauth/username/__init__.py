"""better-auth's username plugin: sign-up and sign-in with a username (docs/plugins/username.md)."""

from .errors import UsernameErrorCode
from .options import UsernameOptions
from .plugin import Username

__all__ = ["Username", "UsernameErrorCode", "UsernameOptions"]
