"""Request checking: the client IP, cookie and CSRF knobs, rate limits and the failed sign-in throttle."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .durations import Duration


class IPAddressSettings(BaseModel):
    """How the client IP is found (better-auth `advanced.ipAddress.*`)."""

    ip_address_headers: list[str] = Field(default_factory=lambda: ["x-forwarded-for"])
    """Forwarding headers read for the client address, from trusted proxies only."""
    trusted_proxies: list[str] = Field(default_factory=list)
    """IPs or CIDRs of reverse proxies whose forwarding headers are believed. Empty: headers are ignored."""
    disable_ip_tracking: bool = False
    """Never read client addresses: nothing is limited per IP, and sessions record none."""

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        # A typo here must stop start-up, not fail every request later.
        for entry in value:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(f"trusted_proxies: {entry!r} is not an IP address or CIDR network") from None
        return [entry.strip() for entry in value]


class AdvancedSettings(BaseModel):
    """Cookie and request-checking knobs (better-auth `advanced.*`)."""

    cookie_prefix: str = "better-auth"
    """First part of every cookie name (`better-auth.session_token`); keep it equal to a Node app's `cookiePrefix`."""
    use_secure_cookies: bool | None = None
    """Force `Secure` cookies (and the `__Secure-` prefix) on or off; by default on when the base URL is https."""
    host_prefix_cookies: bool = False
    """Name the auth cookies `__Host-<cookie_prefix>.<name>` (always `Secure`, `Path=/`, no `Domain`) instead of
    better-auth's `__Secure-`: a sibling subdomain cannot set or shadow them (docs/security.md C7). A Node
    better-auth app will not find cookies named so."""
    disable_csrf_check: bool = False
    """Skip the Origin/Fetch-Metadata checks on cookie-carrying unsafe requests. Never do this in production."""
    disable_origin_check: bool = False
    """Skip the callback URL checks against trusted origins. Never do this in production."""
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    """Largest request body the auth endpoints read."""
    ip_address: IPAddressSettings = Field(default_factory=IPAddressSettings)

    @model_validator(mode="after")
    def _host_prefix_needs_secure(self) -> AdvancedSettings:
        # Browsers drop `__Host-` cookies without `Secure`: refuse at start-up rather than sign nobody in.
        if self.host_prefix_cookies and self.use_secure_cookies is False:
            raise ValueError("advanced.host_prefix_cookies needs Secure cookies: unset advanced.use_secure_cookies")
        return self


class RateLimitRule(BaseModel):
    """At most `max` requests per `window` seconds (better-auth's `{window, max}`)."""

    model_config = ConfigDict(frozen=True)

    window: int = Field(ge=1)
    """Seconds."""
    max: int = Field(ge=1)
    """Requests allowed per window."""
    fail_open: bool = False
    """While the limiter's storage is unreachable, let requests through (logged) instead of answering 503: for
    routes that matter more than their limit (a health check, `get-session`)."""


class AccountThrottleSettings(BaseModel):
    """Throttling of failed email/password sign-ins per account (docs/security.md L2, L4;
    docs/concepts/rate-limiting.md)."""

    enabled: bool = True
    """Throttle failed password sign-ins per account (below); off: only the per-IP rules apply."""
    max_failures: int = Field(default=10, ge=1)
    """Failed sign-ins for one email from one client network (an IPv4 address, an IPv6 /64) before that network is
    refused for that email until the window ends."""
    max_failures_all_networks: int = Field(default=100, ge=1)
    """Failed sign-ins for one email from all networks together before the email is refused to networks that have
    not signed in to it lately (NIST 800-63B: at most 100)."""
    window: Duration = Field(default=timedelta(minutes=15), ge=timedelta(seconds=1))
    """Window of both failure counters."""
    known_network_ttl: Duration = Field(default=timedelta(days=30), ge=timedelta(0))
    """How long a network that signed in successfully stays exempt from `max_failures_all_networks` (0: never)."""


class RateLimitSettings(BaseModel):
    """Request limits per client IP and route (better-auth `rateLimit.*`), and failed sign-ins per account."""

    enabled: bool | None = None
    """None: on unless `environment` is `development`."""
    window: int = Field(default=10, ge=1)
    """Seconds; with `max`, the rule of routes without a special or custom one."""
    max: int = Field(default=100, ge=1)
    """Requests per `window` of the default rule."""
    fail_open: bool = False
    """The `fail_open` of the default rule: with it, a limiter storage outage lets requests of routes without a
    rule of their own through instead of answering 503 (docs/concepts/rate-limiting.md)."""
    storage: Literal["memory", "database", "secondary-storage"] | None = None
    """None: `secondary-storage` when secondary storage is configured, else `memory`."""
    custom_rules: dict[str, RateLimitRule | Literal[False]] = Field(default_factory=dict)
    """Path (relative to `base_path`, `*`/`**` wildcards allowed) to a rule or `false` (not limited). JSON in the
    environment: `{"/sign-in/email": {"window": 60, "max": 5}, "/get-session": false}`."""
    account: AccountThrottleSettings = Field(default_factory=AccountThrottleSettings)
