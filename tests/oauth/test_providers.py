"""Providers as data: the authorization request each one builds and the profile each one maps (O2, O4, O7)."""

from __future__ import annotations

import string
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from fastapi_betterauth.oauth.providers import (
    Apple,
    Discord,
    DiscoveryError,
    GitHub,
    GitLab,
    Google,
    Microsoft,
    code_challenge,
    new_code_verifier,
    oidc_from_discovery,
)
from fastapi_betterauth.oauth.providers.apple import map_apple
from fastapi_betterauth.oauth.providers.discord import map_discord
from fastapi_betterauth.oauth.providers.github import map_github
from fastapi_betterauth.oauth.providers.gitlab import map_gitlab
from fastapi_betterauth.oauth.providers.google import map_google
from fastapi_betterauth.oauth.providers.microsoft import map_microsoft

REDIRECT = "https://app.example/api/auth/callback/google"


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_pkce_s256_matches_rfc_7636() -> None:
    assert (
        code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
    verifier = new_code_verifier()
    assert len(verifier) == 128
    assert set(verifier) <= set(string.ascii_letters + string.digits + "-._~")
    assert new_code_verifier() != verifier


def test_authorization_url_always_uses_pkce_and_keeps_reserved_parameters() -> None:
    """O2: S256 always. Extra scopes add to the defaults; extras cannot replace state, redirect_uri or the challenge."""
    provider = Google("client-1", "secret-1")
    url = provider.authorization_url(
        redirect_uri=REDIRECT,
        state="state-123",
        code_verifier="v" * 64,
        nonce="nonce-9",
        scopes=("https://www.googleapis.com/auth/drive.file", "email"),
        login_hint="ann@example.com",
        extra_params={"state": "evil", "redirect_uri": "https://evil.example", "prompt": "consent"},
    )
    assert url.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    params = query(url)
    assert params["response_type"] == "code"
    assert params["client_id"] == "client-1"
    assert params["redirect_uri"] == REDIRECT
    assert params["state"] == "state-123"
    assert params["code_challenge"] == code_challenge("v" * 64)
    assert params["code_challenge_method"] == "S256"
    assert params["nonce"] == "nonce-9"
    assert params["scope"] == "openid email profile https://www.googleapis.com/auth/drive.file"
    assert params["include_granted_scopes"] == "true"
    assert params["login_hint"] == "ann@example.com"
    assert params["prompt"] == "consent"
    assert "client_secret" not in url
    assert "secret-1" not in url


@pytest.mark.parametrize(
    ("provider", "host", "scope"),
    [
        (GitHub("c", "s"), "github.com", "read:user user:email"),
        (Microsoft("c", "s"), "login.microsoftonline.com", "openid profile email offline_access"),
        (Discord("c", "s"), "discord.com", "identify email"),
        (Apple("c", "s"), "appleid.apple.com", "openid name email"),
        (GitLab("c", "s", base_url="https://git.example.org/"), "git.example.org", "read_user"),
    ],
)
def test_each_builtin_builds_its_request(provider: Any, host: str, scope: str) -> None:
    url = provider.authorization_url(redirect_uri="https://a.example/cb", state="s", code_verifier="v" * 50)
    assert urlsplit(url).hostname == host
    assert query(url)["scope"] == scope
    assert query(url)["code_challenge_method"] == "S256"


def test_apple_posts_its_callback_and_microsoft_tenants() -> None:
    assert (
        query(Apple("c", "s").authorization_url(redirect_uri="r", state="s", code_verifier="v"))["response_mode"]
        == "form_post"
    )
    assert Microsoft("c", "s").issuer is None  # multi-tenant: per-tenant issuers
    single = Microsoft("c", "s", tenant="0f1e2d3c")
    assert single.issuer == "https://login.microsoftonline.com/0f1e2d3c/v2.0"
    assert single.token_endpoint == "https://login.microsoftonline.com/0f1e2d3c/oauth2/v2.0/token"


def test_github_profile_uses_the_verified_primary_address() -> None:
    user = {"id": 583231, "login": "octocat", "name": None, "email": "octo@public.example", "avatar_url": "https://a/1"}
    emails = [
        {"email": "Octo@Work.example", "primary": True, "verified": True, "visibility": "private"},
        {"email": "octo@public.example", "primary": False, "verified": False, "visibility": "public"},
    ]
    profile = map_github({**user, "emails": emails})
    assert profile.subject == "583231"
    assert profile.email == "octo@work.example"
    assert profile.email_verified is True
    assert profile.name == "octocat"
    unverified = map_github({**user, "emails": [{"email": "x@y.example", "primary": True, "verified": False}]})
    assert unverified.email_verified is False
    assert map_github(user).email_verified is False  # no address list: nothing is vouched for (O7)


def test_openid_style_mappers() -> None:
    google = map_google(
        {"sub": "1103", "email": "Ann@Gmail.com", "email_verified": True, "name": "Ann", "picture": "https://p/1"}
    )
    assert (google.subject, google.email, google.email_verified, google.image) == (
        "1103",
        "ann@gmail.com",
        True,
        "https://p/1",
    )
    assert map_google({"sub": "1", "email": "a@b.example"}).email_verified is False
    apple = map_apple({"sub": "001.abc", "email": "x@privaterelay.appleid.com", "email_verified": "true"})
    assert apple.email_verified is True
    assert map_apple({"sub": "001.abc", "email_verified": "false"}).email is None


def test_microsoft_subject_is_the_object_id() -> None:
    claims = {
        "sub": "per-app-subject",
        "oid": "00000000-0000-0000-66f3-3332eca7ea81",
        "preferred_username": "Ann@Contoso.com",
    }
    profile = map_microsoft(claims)
    assert profile.subject == "00000000-0000-0000-66f3-3332eca7ea81"
    assert profile.email == "ann@contoso.com"
    assert profile.email_verified is False  # Entra does not vouch for the address by default
    assert map_microsoft({**claims, "xms_edov": True}).email_verified is True


def test_discord_and_gitlab_profiles() -> None:
    discord = map_discord(
        {
            "id": "80351110224678912",
            "username": "nelly",
            "global_name": "Nelly",
            "avatar": "8342729096ea3675442027381ff50dfe",
            "verified": True,
            "email": "nelly@discord.example",
        }
    )
    assert discord.image == "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png"
    assert discord.email_verified is True
    assert discord.name == "Nelly"
    gitlab = map_gitlab(
        {
            "id": 1,
            "username": "john",
            "name": "John",
            "email": "john@example.com",
            "confirmed_at": "2012-05-23T09:05:22Z",
            "avatar_url": "https://g/1",
        }
    )
    assert (gitlab.subject, gitlab.email_verified) == ("1", True)
    assert map_gitlab({"id": 2, "username": "x", "email": "x@example.com"}).email_verified is False


DISCOVERY = {
    "issuer": "https://idp.example",
    "authorization_endpoint": "https://idp.example/auth",
    "token_endpoint": "https://idp.example/token",
    "userinfo_endpoint": "https://idp.example/me",
    "jwks_uri": "https://idp.example/jwks",
    "code_challenge_methods_supported": ["S256"],
    "id_token_signing_alg_values_supported": ["RS256", "ES256", "HS256", "none"],
    "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
}


def test_generic_oidc_from_discovery() -> None:
    provider = oidc_from_discovery(
        "corp",
        DISCOVERY,
        discovery_url="https://idp.example/.well-known/openid-configuration",
        client_id="c",
        client_secret="s",
    )
    assert provider.issuer == "https://idp.example"
    assert provider.token_endpoint == "https://idp.example/token"
    assert provider.id_token_algorithms == ("RS256", "ES256")  # never none, never a symmetric HS* (O6)
    assert provider.token_auth_method == "client_secret_post"  # better-auth's default, whatever the list says
    assert provider.is_openid


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"issuer": "https://evil.example"}, "issuer"),
        ({"code_challenge_methods_supported": ["plain"]}, "S256"),
        ({"jwks_uri": None}, "jwks_uri"),
    ],
)
def test_discovery_that_cannot_be_trusted_is_refused(change: dict[str, Any], message: str) -> None:
    """O4: a document naming another issuer (mix-up), without S256, or without keys is refused."""
    document = {**DISCOVERY, **change}
    if change.get("jwks_uri", "present") is None:
        del document["jwks_uri"]
    with pytest.raises(DiscoveryError, match=message):
        oidc_from_discovery(
            "corp",
            document,
            discovery_url="https://idp.example/.well-known/openid-configuration",
            client_id="c",
            client_secret="s",
        )
    with pytest.raises(DiscoveryError):
        oidc_from_discovery(
            "corp", DISCOVERY, discovery_url="https://idp.example/config", client_id="c", client_secret="s"
        )
