"""The request limiter of the auth routes (better-auth's rate limiter, docs/better-auth.md#rate-limiter): client network
and route, fixed windows, 429 `RATE_LIMITED` with `Retry-After`."""

from __future__ import annotations

import ipaddress
import logging
import math
from collections.abc import Mapping

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.requests import Request

from ...errors import AuthError, ErrorCode, is_outage
from ...settings import AuthSettings, RateLimitRule
from ..client_ip import ClientIPResolver
from .rules import RuleResolver, RuleValue
from .storage import NAMESPACE, LimitBackend

logger = logging.getLogger("fastapi_betterauth")

NO_IP = "no-trusted-ip"
"""The bucket of requests whose client address is unknown: one per route, shared (fail closed, as better-auth)."""
IPV6_PREFIX = 64


def rate_limit_enabled(settings: AuthSettings) -> bool:
    """`rate_limit.enabled`, by default on everywhere but in `development`."""
    enabled = settings.rate_limit.enabled
    return enabled if enabled is not None else settings.environment != "development"


def client_network(ip: str | None) -> str | None:
    """The bucket of a client address: an IPv4 address itself, an IPv6 address its /64 (one customer's network)."""
    if ip is None:
        return None
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network((address, IPV6_PREFIX), strict=False))
    return str(address)


def retry_after_seconds(retry_after: float) -> str:
    """A `Retry-After` value: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(round(retry_after, 3))))


def rate_limited(retry_after: float, message: str | None = None) -> AuthError:
    """429 `RATE_LIMITED` with `Retry-After` (standard) and `X-Retry-After` (read by better-auth's clients)."""
    seconds = retry_after_seconds(retry_after)
    return AuthError(ErrorCode.RATE_LIMITED, 429, message, headers={"Retry-After": seconds, "X-Retry-After": seconds})


async def refusal(backend: LimitBackend, item: RateLimitItem, *key: str, message: str | None = None) -> AuthError:
    """The 429 for a full window of `key`, retry after its end (one storage read: only the expiry is needed)."""
    return rate_limited(await backend.storage.get_expiry(item.key_for(*key)) - backend.now(), message)


def limit_item(rule: RateLimitRule) -> RateLimitItem:
    return RateLimitItemPerSecond(rule.max, rule.window, namespace=NAMESPACE)


def _app_path(request: Request) -> str:
    # Under a mount, Starlette's path includes the mount's root_path; routes are declared without it.
    path: str = request.scope["path"]
    root_path: str = request.scope.get("root_path", "")
    return path[len(root_path) :] if root_path and path.startswith(root_path) else path


def _relative(path: str, base_path: str) -> str:
    if base_path != "/" and path.startswith(f"{base_path}/"):
        return path[len(base_path) :]
    return path


class RateLimiter:
    """The router dependency counting each request to an auth route against its rule (`rules.RuleResolver`).

    The key is the client network (`client_network` of the address `ClientIPResolver` finds, so a forged
    `X-Forwarded-For` counts only behind trusted proxies) and the route, with path parameters left as the route
    declares them (`/reset-password/{token}`), so made-up tokens cannot open fresh buckets. Rules match the request
    path, relative to `base_path`. Server-side calls (`auth.api`, the services) are never limited.
    """

    def __init__(
        self,
        settings: AuthSettings,
        backend: LimitBackend,
        client_ips: ClientIPResolver,
        rules: Mapping[str, RuleValue] | None = None,
    ) -> None:
        options = settings.rate_limit
        # Without IP tracking every client would share one bucket: like better-auth, limit nothing then.
        self.enabled = rate_limit_enabled(settings) and not settings.advanced.ip_address.disable_ip_tracking
        self._base_path = settings.base_path
        self._default_rule = RateLimitRule(window=options.window, max=options.max, fail_open=options.fail_open)
        self._app_rules: dict[str, RuleValue] = {**options.custom_rules, **(rules or {})}
        self._plugin_rules: dict[str, RuleValue] = {}
        self._rules = RuleResolver(self._default_rule, self._app_rules)
        self._backend = backend
        self._limiter = FixedWindowRateLimiter(backend.storage)
        self._client_ips = client_ips
        self._warned_no_ip = False

    def add_plugin_rules(self, rules: Mapping[str, RuleValue]) -> None:
        """Rules a plugin brings for its own paths; the app's rules (settings or code) still win for a path."""
        self._plugin_rules.update(rules)
        self._rules = RuleResolver(self._default_rule, {**self._plugin_rules, **self._app_rules})

    async def __call__(self, request: Request) -> None:
        """Count this request, or refuse it with 429 while its window is full."""
        if not self.enabled:
            return
        path = _relative(_app_path(request), self._base_path)
        rule = await self._rules.resolve(request, path)
        if rule is None:
            return
        route = getattr(request.scope.get("route"), "path_format", None)
        key = f"{self._network(request)}|{_relative(route, self._base_path) if route else path}"
        item = limit_item(rule)
        try:
            allowed = await self._limiter.hit(item, key)
        except Exception as exc:
            if not (rule.fail_open and is_outage(exc)):
                raise  # 503 with a code: refusing is safer than not counting
            logger.warning("rate limit storage unavailable; %s let through (fail_open): %s", path, exc)
            return
        if not allowed:
            raise await refusal(self._backend, item, key)

    async def refuse_if_spent(self, request: Request, bucket: str, rule: RateLimitRule) -> None:
        """429 while this client's `bucket` has had `rule.max` failures in its window (counted by `count_failure`).
        For failures outside the auth routes, such as unknown API keys in the app's own routes."""
        if not self.enabled:
            return
        item, key = limit_item(rule), f"{self._network(request)}|{bucket}"
        if not await self._limiter.test(item, key):
            raise await refusal(self._backend, item, key)

    async def count_failure(self, request: Request, bucket: str, rule: RateLimitRule) -> None:
        if self.enabled:
            await self._limiter.hit(limit_item(rule), f"{self._network(request)}|{bucket}")

    def _network(self, request: Request) -> str:
        network = client_network(self._client_ips.for_request(request))
        if network is not None:
            return network
        if not self._warned_no_ip:
            self._warned_no_ip = True
            logger.warning(
                "rate limit: a request without a client IP; such requests share one bucket per route. "
                "Behind a proxy, set advanced.ip_address.trusted_proxies."
            )
        return NO_IP
