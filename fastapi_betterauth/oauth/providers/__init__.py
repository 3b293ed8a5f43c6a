"""Built-in providers and the generic OpenID Connect one."""

from .apple import Apple
from .base import OAuthProfile, OAuthProvider, ProfileMapper, UserMapper, code_challenge, new_code_verifier
from .discord import Discord
from .github import GitHub
from .gitlab import GitLab
from .google import Google
from .microsoft import Microsoft
from .oidc import DiscoveryError, oidc_from_discovery

__all__ = [
    "Apple",
    "Discord",
    "DiscoveryError",
    "GitHub",
    "GitLab",
    "Google",
    "Microsoft",
    "OAuthProfile",
    "OAuthProvider",
    "ProfileMapper",
    "UserMapper",
    "code_challenge",
    "new_code_verifier",
    "oidc_from_discovery",
]
