"""The WebAuthn ceremonies as better-auth's passkey plugin runs them (on SimpleWebAuthn), verified with py_webauthn.
No HTTP here.

Each ceremony starts with options for the browser and a challenge kept server-side: a verification row whose
identifier is a random token (the value of the signed challenge cookie) and whose value is better-auth's JSON
(`{"type": "registration" | "authentication", "expectedChallenge", "userData": {...}}`). It lasts
`challenge_max_age` seconds and is consumed by its first verification, successful or not, so an assertion can never
be replayed (docs/security.md W1).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from webauthn import verify_authentication_response, verify_registration_response
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException

from ..clock import Clock
from ..crypto.tokens import generate_id
from ..security.origins import OriginPolicy
from ..settings import AuthSettings
from ..verification.rows import PlainRows
from .models import Passkey
from .options import PasskeyOptions

Ceremony = Literal["registration", "authentication"]
T = TypeVar("T")

_ALGORITHMS = (-8, -7, -257)
"""EdDSA, ES256, RS256: SimpleWebAuthn's default `supportedAlgorithmIDs`, in its order."""
_USER_HANDLE_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_VERIFY_ERRORS = (WebAuthnException, ValueError, TypeError, KeyError, binascii.Error)
"""What a malformed or forged response raises from parsing or verification."""


class CeremonyFailedError(Exception):
    """The response did not verify (wrong origin, challenge, signature, counter...); the reason is for the audit."""


@dataclass(frozen=True, slots=True)
class Challenge:
    """A challenge taken from its row: what the browser's response must answer."""

    ceremony: Ceremony
    expected_challenge: str
    user_id: str
    """The user a registration is for; for a sign-in, the signed-in user who asked (or "")."""
    user_name: str = ""
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class NewCredential:
    """A verified registration, as it is stored."""

    credential_id: str
    public_key: str
    counter: int
    device_type: str
    backed_up: bool
    aaguid: str
    transports: str


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _descriptor(passkey: Passkey) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"id": passkey.credential_id}
    if passkey.transports:
        descriptor["transports"] = passkey.transports.split(",")
    descriptor["type"] = "public-key"
    return descriptor


def _device_type(value: str) -> str:
    return "multiDevice" if value == "multi_device" else "singleDevice"


class Ceremonies:
    """Options, challenges and verification of registrations and sign-ins."""

    def __init__(
        self, options: PasskeyOptions, settings: AuthSettings, rows: PlainRows, origins: OriginPolicy, clock: Clock
    ) -> None:
        self._options = options
        self._rows = rows
        self._origins = origins
        self._clock = clock
        self.rp_id = options.rp_id or urlsplit(settings.url).hostname or "localhost"
        self.rp_name = options.rp_name or settings.email.app_name

    # --- options ------------------------------------------------------------------------------------------------

    def registration_options(
        self, user_name: str, display_name: str, existing: Sequence[Passkey], attachment: str | None
    ) -> dict[str, Any]:
        """`PublicKeyCredentialCreationOptionsJSON` as SimpleWebAuthn writes it, with a new challenge."""
        options = self._options
        selection: dict[str, Any] = {
            "residentKey": options.resident_key,
            "userVerification": options.user_verification,
            "requireResidentKey": options.resident_key == "required",
        }
        attachment = attachment or options.authenticator_attachment
        if attachment:
            selection["authenticatorAttachment"] = attachment
        # A fresh random user handle per registration, as better-auth makes it: nothing identifies the user.
        handle = generate_id(32, _USER_HANDLE_ALPHABET).encode()
        return {
            "challenge": bytes_to_base64url(secrets.token_bytes(32)),
            "rp": {"name": self.rp_name, "id": self.rp_id},
            "user": {"id": bytes_to_base64url(handle), "name": user_name, "displayName": display_name},
            "pubKeyCredParams": [{"alg": alg, "type": "public-key"} for alg in _ALGORITHMS],
            "timeout": options.timeout_ms,
            "attestation": options.attestation,
            "excludeCredentials": [_descriptor(passkey) for passkey in existing],
            "authenticatorSelection": selection,
            "extensions": {"credProps": True},
            "hints": [],
        }

    def authentication_options(self, allowed: Sequence[Passkey]) -> dict[str, Any]:
        """`PublicKeyCredentialRequestOptionsJSON` as SimpleWebAuthn writes it. Without `allowed` credentials the
        browser offers the discoverable passkeys of this relying party (sign-in without a username)."""
        answer: dict[str, Any] = {"rpId": self.rp_id, "challenge": bytes_to_base64url(secrets.token_bytes(32))}
        if allowed:
            answer["allowCredentials"] = [_descriptor(passkey) for passkey in allowed]
        answer["timeout"] = self._options.timeout_ms
        answer["userVerification"] = self._options.user_verification
        return answer

    # --- challenges ---------------------------------------------------------------------------------------------

    async def open(self, challenge: Challenge) -> str:
        """Keep `challenge` for `challenge_max_age` seconds: the token the challenge cookie carries."""
        token = generate_id(32)
        user_data: dict[str, str] = {"id": challenge.user_id}
        if challenge.ceremony == "registration":
            user_data.update(name=challenge.user_name, displayName=challenge.display_name)
        value: dict[str, Any] = {
            "type": challenge.ceremony,
            "expectedChallenge": challenge.expected_challenge,
            "userData": user_data,
        }
        if challenge.ceremony == "registration":
            value["context"] = None
        expires_at = self._clock.now() + timedelta(seconds=self._options.challenge_max_age)
        await self._rows.create(token, json.dumps(value, separators=(",", ":")), expires_at)
        return token

    async def take(self, token: str, ceremony: Ceremony) -> Challenge | None:
        """Consume the challenge of `token` (a second use finds nothing): it, or None when it is unknown, used,
        expired or of the other ceremony."""
        row = await self._rows.consume(token)
        if row is None:
            return None
        try:
            value = json.loads(row.value)
        except ValueError:
            return None
        if not isinstance(value, dict) or value.get("type") != ceremony:
            return None
        expected = value.get("expectedChallenge")
        user = value.get("userData")
        if not isinstance(expected, str) or not isinstance(user, dict) or not isinstance(user.get("id"), str):
            return None
        name, display = user.get("name"), user.get("displayName")
        return Challenge(
            ceremony,
            expected,
            user["id"],
            name if isinstance(name, str) else "",
            display if isinstance(display, str) else "",
        )

    # --- verification -------------------------------------------------------------------------------------------

    def _origin(self, response: Mapping[str, Any]) -> str:
        """The origin the browser reports in `clientDataJSON`, if it is allowed; else the ceremony fails."""
        try:
            client_data = json.loads(base64url_to_bytes(response["response"]["clientDataJSON"]))
            origin = client_data["origin"]
        except (*_VERIFY_ERRORS, AttributeError) as error:
            raise CeremonyFailedError(f"malformed clientDataJSON: {error}") from None
        if not isinstance(origin, str):
            raise CeremonyFailedError("clientDataJSON has no origin")
        allowed = self._options.origins
        trusted = origin in allowed if allowed is not None else self._origins.is_trusted_origin(origin)
        if not trusted or "*" in origin:
            raise CeremonyFailedError(f"origin {origin!r} is not allowed")
        return origin

    def _verify(self, verify: Callable[..., T], response: Mapping[str, Any], challenge: Challenge, **more: Any) -> T:
        """py_webauthn's `verify` of `response` against the challenge, the relying party and its allowed origin;
        any failure (a malformed response too) as `CeremonyFailedError`."""
        origin = self._origin(response)
        try:
            return verify(
                credential=dict(response),
                expected_challenge=base64url_to_bytes(challenge.expected_challenge),
                expected_rp_id=self.rp_id,
                expected_origin=origin,
                **more,
            )
        except _VERIFY_ERRORS as error:
            raise CeremonyFailedError(str(error)) from None

    def verify_registration(self, response: Mapping[str, Any], challenge: Challenge) -> NewCredential:
        """The credential a registration response creates, once it verifies; else `CeremonyFailedError`."""
        verified = self._verify(
            verify_registration_response,
            response,
            challenge,
            require_user_verification=self._options.user_verification == "required",
        )
        transports = response["response"].get("transports") if isinstance(response["response"], dict) else None
        return NewCredential(
            credential_id=bytes_to_base64url(verified.credential_id),
            public_key=_b64(verified.credential_public_key),
            counter=verified.sign_count,
            device_type=_device_type(verified.credential_device_type.value),
            backed_up=verified.credential_backed_up,
            aaguid=verified.aaguid,
            transports=",".join(t for t in transports if isinstance(t, str)) if isinstance(transports, list) else "",
        )

    def verify_authentication(self, response: Mapping[str, Any], challenge: Challenge, passkey: Passkey) -> int:
        """The new signature counter of a sign-in response for `passkey`, once it verifies; else
        `CeremonyFailedError` (also for a counter that did not grow: a cloned authenticator, docs/security.md W3)."""
        try:
            public_key = base64.b64decode(passkey.public_key)
        except binascii.Error:
            raise CeremonyFailedError(f"passkey {passkey.id} has a malformed public key") from None
        verified = self._verify(
            verify_authentication_response,
            response,
            challenge,
            credential_public_key=public_key,
            credential_current_sign_count=passkey.counter,
            require_user_verification=self._options.user_verification == "required",
        )
        return verified.new_sign_count
