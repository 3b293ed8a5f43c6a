"""Rate limiting (docs/better-auth.md#rate-limiter; docs/security.md L2-L4): request limits per client network and route
on the auth routes, and throttling of failed sign-ins per account. Built on `limits`' fixed-window strategy over three
storages."""

from ...settings import RateLimitRule
from .account import SignInThrottle
from .limiter import RateLimiter, client_network, rate_limit_enabled, rate_limited
from .rules import EMAIL_RULE, SIGN_IN_RULE, RuleCallable, RuleResolver, RuleResult, RuleValue, special_rule
from .storage import DatabaseLimitStorage, LimitBackend, MemoryLimitStorage, limit_backend

__all__ = [
    "EMAIL_RULE",
    "SIGN_IN_RULE",
    "DatabaseLimitStorage",
    "LimitBackend",
    "MemoryLimitStorage",
    "RateLimitRule",
    "RateLimiter",
    "RuleCallable",
    "RuleResolver",
    "RuleResult",
    "RuleValue",
    "SignInThrottle",
    "client_network",
    "limit_backend",
    "rate_limit_enabled",
    "rate_limited",
    "special_rule",
]
