"""Where an OAuth flow's state waits for the callback (docs/better-auth.md#oauth-state): the seam between "database" and
"cookie".

Either way the browser that started the flow carries a cookie the callback must bring back (docs/security.md O1), so a
callback delivered to another browser fails. `DatabaseStateStore` (the default) keeps the state in a single-use
verification row and a signed `state` cookie with the same value (double submit); `CookieStateStore` keeps it in an
encrypted `oauth_state` cookie and nothing on the server, for deployments without a database (better-auth's
`storeStateStrategy: "cookie"`, the same envelope, so both can read each other's).

A callback that is not the flow's (a forged `state`, another browser, or an older flow of the same browser, whose
cookie now holds the newer flow) neither uses the state up nor touches the cookie: the flow in progress can still
complete. Only a state that checks out is used up, once; a browser has one state cookie, so only its latest flow
can complete.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from ..clock import Clock
from ..crypto.envelope import EnvelopeError, open_sealed, purpose_keyring, seal
from ..crypto.keyring import Keyring
from ..crypto.tokens import generate_id, sign_value, unsign_value
from ..verification.service import VerificationService

STATE_TTL = timedelta(minutes=10)
STATE_PURPOSE = "oauth-state"


class StateError(Exception):
    """The callback's state is unusable; `code` is the lower-snake code for the error redirect.

    `error_url` is the flow's `errorCallbackURL` when the state could be read that far (it was checked when the
    flow started); `consumed` tells whether the state was used up (then its cookie is cleared)."""

    def __init__(self, code: str, error_url: str | None = None, *, consumed: bool = False) -> None:
        super().__init__(code)
        self.code = code
        self.error_url = error_url
        self.consumed = consumed


@dataclass(frozen=True, slots=True)
class IssuedState:
    state: str
    """The `state` parameter of the authorization request."""
    cookie_value: str
    """What the browser keeps until the callback (the cookie is `OAuthStateStore.cookie_name`)."""


class OAuthStateStore(Protocol):
    cookie_name: str
    """The short cookie name (`state` or `oauth_state`); the cookie prefix is added by the caller."""
    cookie_max_age: timedelta
    """How long the browser keeps the cookie (better-auth: 5 minutes for `state`, 10 for `oauth_state`)."""

    async def issue(self, data: Mapping[str, Any]) -> IssuedState:
        """Keep `data` for the callback, for `STATE_TTL`."""
        ...

    async def redeem(self, state: str, cookie_value: str | None) -> dict[str, Any]:
        """The data of `state`, once. `StateError` if it is unknown, used, expired, or not this browser's."""
        ...


def _error_url(data: Mapping[str, Any] | None) -> str | None:
    url = data.get("errorURL") if data else None
    return url if isinstance(url, str) and url else None


class DatabaseStateStore:
    """A single-use verification row (only its hash stored) plus a signed cookie holding the same state."""

    cookie_name = "state"
    cookie_max_age = timedelta(minutes=5)

    def __init__(self, tokens: VerificationService, keyring: Keyring) -> None:
        self._tokens = tokens
        self._keyring = keyring

    async def issue(self, data: Mapping[str, Any]) -> IssuedState:
        state = await self._tokens.issue(STATE_PURPOSE, dict(data), STATE_TTL)
        return IssuedState(state, sign_value(self._keyring.current, state))

    async def redeem(self, state: str, cookie_value: str | None) -> dict[str, Any]:
        found = await self._tokens.peek(STATE_PURPOSE, state, include_expired=True)
        if found.value is None:
            raise StateError("state_mismatch")  # unknown (forged) or already used
        error_url = _error_url(found.value)
        browser_state = unsign_value(cookie_value, self._keyring.secrets) if cookie_value else None
        if browser_state is None or not hmac.compare_digest(browser_state.encode(), state.encode()):
            raise StateError("state_mismatch", error_url)  # another browser, or not this browser's latest flow
        redeemed = await self._tokens.consume(STATE_PURPOSE, state)
        if redeemed.value is None:
            raise StateError("state_mismatch", error_url, consumed=True)  # expired, or used meanwhile
        return redeemed.value


class CookieStateStore:
    """The state inside an encrypted cookie (XChaCha20-Poly1305 envelope); nothing is stored on the server.

    Single use is the browser's: the callback clears the cookie, and the provider's code is single-use and bound to
    the PKCE verifier inside the cookie. A copied cookie plus its state could be replayed until it expires, which
    the database store prevents; use that one when there is a database.
    """

    cookie_name = "oauth_state"
    cookie_max_age = STATE_TTL

    def __init__(self, keyring: Keyring, clock: Clock) -> None:
        self._keyring = purpose_keyring(keyring, "oauth-state-cookie")  # better-auth's key for this cookie
        self._clock = clock

    async def issue(self, data: Mapping[str, Any]) -> IssuedState:
        state = generate_id(32)
        expires_at = int((self._clock.now() + STATE_TTL).timestamp() * 1000)
        payload = {**data, "oauthState": state, "expiresAt": expires_at}
        return IssuedState(state, seal(self._keyring, json.dumps(payload, separators=(",", ":"))))

    async def redeem(self, state: str, cookie_value: str | None) -> dict[str, Any]:
        if not cookie_value:
            raise StateError("state_mismatch")
        try:
            data = json.loads(open_sealed(self._keyring, cookie_value))
        except (EnvelopeError, ValueError):
            raise StateError("state_invalid") from None
        if not isinstance(data, dict) or not isinstance(data.get("oauthState"), str):
            raise StateError("state_invalid")
        if not hmac.compare_digest(data["oauthState"].encode(), state.encode()):
            raise StateError("state_mismatch", _error_url(data))  # not this cookie's flow: the cookie stays
        expires_at = data.get("expiresAt")
        if not isinstance(expires_at, int) or expires_at <= self._clock.now().timestamp() * 1000:
            raise StateError("state_mismatch", _error_url(data), consumed=True)
        return data
