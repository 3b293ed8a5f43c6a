"""The `account_data` cookie: the provider account of a sign-in, for apps without a database
(docs/better-auth.md#stateless-sessions).

better-auth's format: a JWE (`dir` + `A256CBC-HS512`, key HKDF(secret, "better-auth-account"), `kid`) whose claims
are the account row's JSON (camelCase, dates as ISO strings) plus `iat`, `exp` and `jti`; chunked like
`session_data`. The provider tokens inside are as the account row would hold them (envelope-encrypted with
`social.encrypt_oauth_tokens`), and the whole cookie is encrypted either way.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from ..clock import Clock, js_iso
from ..cookies import AuthCookies
from ..crypto import jose
from ..crypto.keyring import Keyring
from ..db.models import Account

JWE_SALT = "better-auth-account"
_DATES = ("accessTokenExpiresAt", "refreshTokenExpiresAt", "createdAt", "updatedAt")
_FIELDS = {
    "id": "id",
    "accountId": "account_id",
    "providerId": "provider_id",
    "userId": "user_id",
    "accessToken": "access_token",
    "refreshToken": "refresh_token",
    "idToken": "id_token",
    "accessTokenExpiresAt": "access_token_expires_at",
    "refreshTokenExpiresAt": "refresh_token_expires_at",
    "scope": "scope",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
}


class AccountCookie:
    def __init__(self, keyring: Keyring, cookies: AuthCookies, clock: Clock) -> None:
        self._keyring = keyring
        self._cookies = cookies
        self._clock = clock

    def write(self, response: Response, account: Account, present: Mapping[str, str], *, lifetime: timedelta) -> bool:
        """Set the cookie for `account`, valid for `lifetime`; False when it cannot fit in cookies."""
        now = self._clock.now()
        iat = int(now.timestamp())
        claims: dict[str, Any] = {
            json_name: _json_value(getattr(account, field)) for json_name, field in _FIELDS.items()
        }
        claims.update(iat=iat, exp=iat + int(lifetime.total_seconds()), jti=str(uuid.uuid4()))
        value = jose.encode_jwe(
            json.dumps(claims, separators=(",", ":")).encode(), self._keyring.current, salt=JWE_SALT
        )
        if len(value) > jose.MAX_TOKEN_LENGTH:
            return False
        return self._cookies.set_chunked(response, self._cookies.account_data, value, lifetime, present)

    def read(
        self,
        cookies: Mapping[str, str],
        *,
        user_id: str,
        provider_id: str | None = None,
        account_id: str | None = None,
    ) -> Account | None:
        """The account the request's cookie carries, if it is authentic, unexpired and `user_id`'s (and, when given,
        with this provider and provider subject): an account cookie left beside another user's session is not theirs."""
        account = self._decode(cookies)
        if account is None or account.user_id != user_id:
            return None
        if provider_id is not None and account.provider_id != provider_id:
            return None
        if account_id is not None and account.account_id != account_id:
            return None
        return account

    def _decode(self, cookies: Mapping[str, str]) -> Account | None:
        value = self._cookies.read_chunked(cookies, self._cookies.account_data)
        if not value:
            return None
        claims = jose.decode_jwe(value, self._keyring.secrets, salt=JWE_SALT, now=self._clock.now())
        if claims is None:
            return None
        data = {field: claims.get(json_name) for json_name, field in _FIELDS.items()}
        try:
            for name in _DATES:
                field = _FIELDS[name]
                if data[field] is not None:
                    data[field] = datetime.fromisoformat(str(data[field]).replace("Z", "+00:00"))
            return Account.model_validate(data)
        except (ValidationError, ValueError, TypeError):
            return None


def _json_value(value: Any) -> Any:
    return js_iso(value) if isinstance(value, datetime) else value
