"""better-auth's passkey plugin (`@better-auth/passkey`): WebAuthn registration and sign-in
(docs/plugins/passkeys.md)."""

from .options import PasskeyOptions
from .plugin import Passkey

__all__ = ["Passkey", "PasskeyOptions"]
