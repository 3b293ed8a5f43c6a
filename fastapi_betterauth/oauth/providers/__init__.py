"""Built-in providers and the generic OpenID Connect one."""

from .apple import Apple
from .base import OAuthProfile, OAuthProvider, ProfileMapper, UserMapper, code_challenge, new_code_verifier
from .discord import Discord
from .dropbox import Dropbox
from .facebook import Facebook
from .github import GitHub
from .gitlab import GitLab
from .google import Google
from .linkedin import LinkedIn
from .microsoft import Microsoft
from .notion import Notion
from .oidc import DiscoveryError, oidc_from_discovery
from .reddit import Reddit
from .slack import Slack
from .spotify import Spotify
from .twitter import Twitter
from .zoom import Zoom

__all__ = [
    "Apple",
    "Discord",
    "DiscoveryError",
    "Dropbox",
    "Facebook",
    "GitHub",
    "GitLab",
    "Google",
    "LinkedIn",
    "Microsoft",
    "Notion",
    "OAuthProfile",
    "OAuthProvider",
    "ProfileMapper",
    "Reddit",
    "Slack",
    "Spotify",
    "Twitter",
    "UserMapper",
    "Zoom",
    "code_challenge",
    "new_code_verifier",
    "oidc_from_discovery",
]
