"""VK ID (OAuth 2.1 with PKCE). Subject: `user.user_id`.

VK's quirks, as better-auth handles them: the callback brings a `device_id` that the token request must carry, and
the user info is a form POST of the access token and the client id to `/oauth2/user_info` (no bearer header). The
name is first and last name; the address is never vouched for, and a profile without one signs nobody in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider

if TYPE_CHECKING:
    import httpx2 as httpx


def map_vk(data: Mapping[str, Any]) -> OAuthProfile:
    user = data["user"]
    names = [part for part in (user.get("first_name"), user.get("last_name")) if part]
    return OAuthProfile(
        subject=str(user["user_id"]),
        email=provider_email(user.get("email")),
        email_verified=False,
        name=" ".join(names) or None,
        image=user.get("avatar") or None,
        raw=dict(data),
    )


async def vk_user_info(http: httpx.AsyncClient, provider: OAuthProvider, token: Mapping[str, Any]) -> Mapping[str, Any]:
    """VK ID's user info: the access token and client id in a form body, POSTed."""
    assert provider.userinfo_endpoint is not None
    form = {"access_token": str(token["access_token"]), "client_id": provider.client_id}
    response = await http.post(provider.userinfo_endpoint, data=form, headers={"Accept": "application/json"})
    response.raise_for_status()
    answer: Mapping[str, Any] = response.json()
    if not isinstance(answer, Mapping) or not isinstance(answer.get("user"), Mapping):
        raise ValueError("VK ID answered without a user")
    return answer


def VK(client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("email", "phone")) -> OAuthProvider:
    return OAuthProvider(
        id="vk",
        name="VK",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://id.vk.com/authorize",
        token_endpoint="https://id.vk.com/oauth2/auth",
        userinfo_endpoint="https://id.vk.com/oauth2/user_info",
        scopes=scopes,
        callback_token_params=("device_id",),
        user_info_call=vk_user_info,
        map_profile=map_vk,
    )
