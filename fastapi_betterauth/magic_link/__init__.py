"""better-auth's magic-link plugin: sign in (and up) with a link mailed to the address (docs/plugins/magic-link.md)."""

from .options import MagicLinkOptions
from .plugin import MagicLink

__all__ = ["MagicLink", "MagicLinkOptions"]
