"""Built-in providers and the generic OpenID Connect one."""

from .apple import Apple
from .atlassian import Atlassian
from .base import OAuthProfile, OAuthProvider, ProfileMapper, UserMapper, code_challenge, new_code_verifier
from .cloudflare import Cloudflare
from .cognito import Cognito
from .discord import Discord
from .dropbox import Dropbox
from .facebook import Facebook
from .figma import Figma
from .github import GitHub
from .gitlab import GitLab
from .google import Google
from .huggingface import HuggingFace
from .kakao import Kakao
from .kick import Kick
from .line import Line
from .linear import Linear
from .linkedin import LinkedIn
from .microsoft import Microsoft
from .naver import Naver
from .notion import Notion
from .oidc import DiscoveryError, oidc_from_discovery
from .paybin import Paybin
from .paypal import PayPal
from .polar import Polar
from .railway import Railway
from .reddit import Reddit
from .roblox import Roblox
from .salesforce import Salesforce
from .slack import Slack
from .spotify import Spotify
from .tiktok import TikTok
from .twitch import Twitch
from .twitter import Twitter
from .vercel import Vercel
from .vk import VK
from .wechat import WeChat
from .zoom import Zoom

__all__ = [
    "VK",
    "Apple",
    "Atlassian",
    "Cloudflare",
    "Cognito",
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
    "Kick",
    "Line",
    "Linear",
    "LinkedIn",
    "Microsoft",
    "Naver",
    "Notion",
    "OAuthProfile",
    "OAuthProvider",
    "PayPal",
    "Paybin",
    "Polar",
    "ProfileMapper",
    "Railway",
    "Reddit",
    "Roblox",
    "Salesforce",
    "Slack",
    "Spotify",
    "TikTok",
    "Twitch",
    "Twitter",
    "UserMapper",
    "Vercel",
    "WeChat",
    "Zoom",
    "code_challenge",
    "new_code_verifier",
    "oidc_from_discovery",
]
