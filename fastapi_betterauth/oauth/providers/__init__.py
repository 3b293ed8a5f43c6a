"""Built-in providers and the generic OpenID Connect one."""

from .apple import Apple
from .atlassian import Atlassian
from .base import OAuthProfile, OAuthProvider, ProfileMapper, UserMapper, code_challenge, new_code_verifier
from .discord import Discord
from .dropbox import Dropbox
from .facebook import Facebook
from .figma import Figma
from .github import GitHub
from .gitlab import GitLab
from .google import Google
from .huggingface import HuggingFace
from .kakao import Kakao
from .linear import Linear
from .linkedin import LinkedIn
from .microsoft import Microsoft
from .naver import Naver
from .notion import Notion
from .oidc import DiscoveryError, oidc_from_discovery
from .reddit import Reddit
from .slack import Slack
from .spotify import Spotify
from .twitter import Twitter
from .zoom import Zoom

__all__ = [
    "Apple",
    "Atlassian",
    "Discord",
    "DiscoveryError",
    "Dropbox",
    "Facebook",
    "Figma",
    "GitHub",
    "GitLab",
    "Google",
    "HuggingFace",
    "Kakao",
    "Linear",
    "LinkedIn",
    "Microsoft",
    "Naver",
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
