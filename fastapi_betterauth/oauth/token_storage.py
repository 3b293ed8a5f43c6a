"""How provider tokens are kept in `account` rows: which columns a token response sets, and, with
`social.encrypt_oauth_tokens`, the access and refresh tokens sealed in better-auth's `$ba$` envelope
(docs/better-auth.md#provider-tokens), so a Node better-auth app with the same secrets reads them. The id token is never
encrypted (as better-auth)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..crypto.envelope import PREFIX, EnvelopeError, could_be_sealed, is_sealed, open_sealed, seal
from ..crypto.keyring import Keyring
from ..db.models import Account


@dataclass(frozen=True, slots=True)
class ProviderTokens:
    """An account's provider tokens in plain text, for the account's owner. Never stored as such."""

    account: Account
    access_token: str | None
    refresh_token: str | None

    @property
    def scopes(self) -> list[str]:
        return account_scopes(self.account)


def account_scopes(account: Account) -> list[str]:
    """The granted scopes (stored comma-separated, as better-auth stores them)."""
    return [scope.strip() for scope in (account.scope or "").split(",") if scope.strip()]


class ProviderTokenCipher:
    """Seals tokens on the way into the database (when enabled) and opens them on the way out.

    Opening accepts plain values too, so turning encryption on needs no migration: older rows keep working and are
    sealed at their next refresh. Envelopes always open, so turning it off again loses nothing, and an envelope
    sealed before a secret rotation opens with any configured secret (see `open_sealed`).
    """

    def __init__(self, keyring: Keyring, *, encrypt: bool) -> None:
        self._keyring = keyring
        self.encrypt = encrypt

    def seal(self, value: str | None) -> str | None:
        return seal(self._keyring, value) if value and self.encrypt else value

    def open(self, value: str | None) -> str | None:
        """The plain token, or None when there is none or it does not open: a ciphertext is never a token.

        With encryption on, every value that could be an envelope is one (as better-auth reads them then): `$ba$`
        and hex at least as long as nonce and tag must open with a configured secret. Shorter values are plain
        tokens stored before encryption was turned on. With encryption off, `$ba$` envelopes (left from when it was
        on) still open; bare hex that does not open is taken as a plain token, as better-auth takes it then.
        """
        if not value or not is_sealed(value):
            return value
        try:
            return open_sealed(self._keyring, value)
        except EnvelopeError:
            if value.startswith(PREFIX) or (self.encrypt and could_be_sealed(value)):
                return None
            return value

    def tokens(self, account: Account) -> ProviderTokens:
        return ProviderTokens(account, self.open(account.access_token), self.open(account.refresh_token))

    def account_fields(self, token: Mapping[str, Any], now: datetime, current: Account | None = None) -> dict[str, Any]:
        """The token columns for a provider token response, the one place that decides them.

        Tokens the response lacks keep their stored values (providers often send a refresh token only once). The
        granted scope is not among them: it is written when an account is made (`granted_scope`) and grows only by
        linking again (`merged_scope`), never by a sign-in or a refresh, as in better-auth.
        """
        expires_in, refresh_expires_in = token.get("expires_in"), token.get("refresh_token_expires_in")
        access, refresh = token.get("access_token"), token.get("refresh_token")
        return {
            "access_token": self.seal(str(access)) if access else (current.access_token if current else None),
            "refresh_token": self.seal(str(refresh)) if refresh else (current.refresh_token if current else None),
            "id_token": token.get("id_token") or (current.id_token if current else None),
            "access_token_expires_at": now + timedelta(seconds=int(expires_in)) if expires_in else None,
            "refresh_token_expires_at": (
                now + timedelta(seconds=int(refresh_expires_in))
                if refresh_expires_in
                else (current.refresh_token_expires_at if current else None)
            ),
            "updated_at": now,
        }


def token_scopes(token: Mapping[str, Any]) -> list[str]:
    """The scopes a token response grants, in the provider's order."""
    scope = token.get("scope")
    items = scope.split() if isinstance(scope, str) else [str(s) for s in scope] if isinstance(scope, list) else []
    return list(dict.fromkeys(item for item in items if item))


def granted_scope(token: Mapping[str, Any]) -> str | None:
    """The `scope` column of a new account: the granted scopes, comma-separated in the provider's order."""
    return ",".join(token_scopes(token)) or None


def merged_scope(stored: str | None, token: Mapping[str, Any]) -> str | None:
    """Linking an account again: what was granted before, then what is new (the scope never shrinks)."""
    existing = [scope.strip() for scope in (stored or "").split(",") if scope.strip()]
    return ",".join(dict.fromkeys([*existing, *token_scopes(token)])) or None
