"""The sign-in stage: a password sign-in of a user with two-factor authentication on answers a challenge instead of
a session (`{"twoFactorRedirect": true, "twoFactorMethods": [...]}` with the signed `two_factor` cookie), unless the
browser presents a trusted-device cookie of that user, which is then renewed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import Response

from ..audit import audit
from ..crypto.tokens import sign_value
from ..sessions.issuer import SignInAttempt, SignInHalted
from .service import two_factor_enabled

if TYPE_CHECKING:
    from .plugin import TwoFactor

CHALLENGED_METHODS = frozenset({"email", "username", "phone-number"})
"""The sign-ins better-auth challenges (`/sign-in/email`, `/sign-in/username`, `/sign-in/phone-number`): those that
prove a password. Sign-up, social sign-in, the sign-in after email verification and API-key sessions are not."""
TWO_FACTOR_COOKIE = "two_factor"
TRUST_DEVICE_COOKIE = "trust_device"


class TwoFactorStage:
    """`SignInStage` of the plugin (called for every sign-in, in plugin order)."""

    def __init__(self, plugin: TwoFactor) -> None:
        self._plugin = plugin

    async def __call__(self, attempt: SignInAttempt) -> SignInAttempt | None:
        if attempt.method not in CHALLENGED_METHODS or not two_factor_enabled(attempt.user):
            return None
        plugin = self._plugin
        context = plugin.context
        cookies = context.cookies
        trust_name = cookies.name(TRUST_DEVICE_COOKIE)
        trust_max_age = plugin.options.trust_device_max_age
        presented = cookies.read_signed(attempt.client.cookies, trust_name)
        user_id = attempt.user.id
        if presented is not None and await plugin.challenges.is_trusted(user_id, presented):
            # Trusted: sign in as usual, with the trust renewed under a new identifier (the old one is spent).
            await plugin.challenges.forget(presented)
            renewed = await plugin.challenges.trust(user_id)
            return attempt.with_cookies(cookies.serialize_signed(trust_name, renewed, trust_max_age))
        identifier = await plugin.challenges.open(user_id)
        audit("two_factor.challenged", user=user_id, ip=attempt.client.ip_address, method=attempt.method)
        methods = await plugin.methods_for(user_id)
        present = attempt.client.cookies
        challenge = cookies.serialize_signed(
            cookies.name(TWO_FACTOR_COOKIE), identifier, plugin.options.two_factor_cookie_max_age
        )
        remember_me = attempt.remember_me

        def write_cookies(response: Response) -> None:
            headers = response.headers
            headers.append("set-cookie", cookies.serialize(cookies.session_token, "", 0))
            cookies.clear_chunked(response, cookies.session_data, present)
            if presented is not None:
                headers.append("set-cookie", cookies.serialize(trust_name, "", 0))
            if not remember_me:  # read back when the challenge is completed (better-auth keeps it the same way)
                headers.append("set-cookie", cookies.serialize(cookies.dont_remember, _dont_remember(plugin), None))
            headers.append("set-cookie", challenge)

        raise SignInHalted({"twoFactorRedirect": True, "twoFactorMethods": methods}, write_cookies=write_cookies)


def _dont_remember(plugin: TwoFactor) -> str:
    return sign_value(plugin.context.keyring.current, "true")
