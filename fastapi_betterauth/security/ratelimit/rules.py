"""Which rule limits a path (docs/better-auth.md#rate-limiter): the global rule, better-auth's special rules, then
custom rules."""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Literal, TypeAlias

from starlette.requests import Request

from ...settings import RateLimitRule

RuleResult: TypeAlias = RateLimitRule | Literal[False]
RuleCallable: TypeAlias = Callable[[Request, RateLimitRule], RuleResult | Awaitable[RuleResult]]
"""`(request, current_rule) -> rule | False`, sync or async: decides per request (better-auth's function rules)."""
RuleValue: TypeAlias = RateLimitRule | Literal[False] | RuleCallable
"""A custom rule: a rule, `False` (the path is not limited), or a callable deciding per request."""

SIGN_IN_RULE = RateLimitRule(window=10, max=3)
"""better-auth: `/sign-in*`, `/sign-up*`, `/change-password*`, `/change-email*`."""
EMAIL_RULE = RateLimitRule(window=60, max=3)
"""better-auth: the routes that send email."""

_SIGN_IN_PREFIXES = ("/sign-in", "/sign-up", "/change-password", "/change-email")
_EMAIL_PATHS = frozenset(
    {
        "/request-password-reset",
        "/send-verification-email",
        "/email-otp/send-verification-otp",
        "/email-otp/request-password-reset",
    }
)
_WILDCARDS = re.compile(r"(\*\*|\*|\?)")
_WILDCARD_REGEX = {"**": ".*", "*": "[^/]*", "?": "[^/]"}


def special_rule(path: str) -> RateLimitRule | None:
    """better-auth's built-in rule for `path`, if it has one."""
    if path.startswith(_SIGN_IN_PREFIXES):
        return SIGN_IN_RULE
    if path in _EMAIL_PATHS or path.startswith("/forget-password"):
        return EMAIL_RULE
    return None


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A path pattern as a regex for `fullmatch`: `**` matches anything, `*` anything but `/`, `?` one character
    but `/`."""
    parts = _WILDCARDS.split(pattern)
    return re.compile("".join(_WILDCARD_REGEX.get(part, re.escape(part)) for part in parts))


class RuleResolver:
    """The rule of a path, the last that applies winning: the global rule, better-auth's special rule, the custom rule.

    Of the custom rules, an exact path wins over patterns; of several matching patterns, the first given.
    """

    def __init__(self, default: RateLimitRule, custom: Mapping[str, RuleValue]) -> None:
        for path in custom:
            if not path.startswith("/"):
                raise ValueError(f"rate limit rule paths are relative to base_path and start with '/', got {path!r}")
        self._default = default
        self._exact = {path: value for path, value in custom.items() if not _WILDCARDS.search(path)}
        self._patterns = [(compile_pattern(path), value) for path, value in custom.items() if _WILDCARDS.search(path)]

    def _custom(self, path: str) -> RuleValue | None:
        if path in self._exact:
            return self._exact[path]
        return next((value for pattern, value in self._patterns if pattern.fullmatch(path)), None)

    async def resolve(self, request: Request, path: str) -> RateLimitRule | None:
        """The rule limiting `request` to `path` (relative to the base path); None when it is not limited."""
        rule = special_rule(path) or self._default
        custom = self._custom(path)
        if custom is None:
            return rule
        if custom is False or isinstance(custom, RateLimitRule):
            return custom or None
        decided = custom(request, rule)
        if inspect.isawaitable(decided):
            decided = await decided
        return decided or None
