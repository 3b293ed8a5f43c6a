"""The plugin seam: `Plugin`, its options base, and the `AuthContext` it is given (docs/plugins/writing-a-plugin.md)."""

from ..users.service import UserCleanup
from .base import Plugin, PluginOptions
from .context import AuthContext
from .registry import PluginSettingsError

__all__ = ["AuthContext", "Plugin", "PluginOptions", "PluginSettingsError", "UserCleanup"]
