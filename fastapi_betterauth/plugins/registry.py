"""Which plugins an instance runs (those passed in code, and the built-in ones switched on in settings), and how
their contributions reach the services that run them."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Table

from ..errors import ErrorCode
from ..settings import AuthSettings
from ..startup_errors import OneLineWhenUncaught
from .base import Plugin
from .context import AuthContext

BUILT_IN: dict[str, str] = {
    "admin": "fastapi_betterauth.admin.plugin:Admin",
    "api_key": "fastapi_betterauth.api_keys.plugin:ApiKeys",
    "email_otp": "fastapi_betterauth.email_otp.plugin:EmailOTP",
    "jwt": "fastapi_betterauth.jwt_tokens.plugin:Jwt",
    "magic_link": "fastapi_betterauth.magic_link.plugin:MagicLink",
    "organization": "fastapi_betterauth.organization.plugin:Organization",
    "passkey": "fastapi_betterauth.passkey.plugin:Passkey",
    "two_factor": "fastapi_betterauth.two_factor.plugin:TwoFactor",
    "username": "fastapi_betterauth.username.plugin:Username",
}
"""The plugins that ship with the package, by id: each can be switched on from settings alone
(`BETTER_AUTH_PLUGINS__<ID>__ENABLED=true`)."""


class PluginSettingsError(OneLineWhenUncaught, ValueError):
    """`AuthSettings.plugins` names a plugin that does not exist, or two plugins share an id."""


def built_in(plugin_id: str) -> type[Plugin[Any]]:
    module_name, _, class_name = BUILT_IN[plugin_id].partition(":")
    plugin_type: type[Plugin[Any]] = getattr(importlib.import_module(module_name), class_name)
    return plugin_type


def resolve_plugins(settings: AuthSettings, given: Sequence[Plugin[Any]]) -> list[Plugin[Any]]:
    """The plugins given in code (in their order), then each built-in one enabled in settings and not given."""
    plugins = list(given)
    ids = [plugin.id for plugin in plugins]
    duplicates = sorted({plugin_id for plugin_id in ids if ids.count(plugin_id) > 1})
    if duplicates:
        raise PluginSettingsError(f"plugins given twice: {', '.join(duplicates)}")
    for plugin_id, options in settings.plugins.items():
        if plugin_id in ids:
            continue
        if plugin_id not in BUILT_IN:
            known = ", ".join(sorted(BUILT_IN))
            raise PluginSettingsError(
                f"settings name an unknown plugin {plugin_id!r} (built in: {known}); pass your own plugins to "
                "BetterAuth(plugins=[...])"
            )
        # `enabled` read as every other boolean setting is (`true`, `1`, `on`...); a malformed one is refused.
        if _BOOL.validate_python(options.get("enabled", False)):
            plugins.append(built_in(plugin_id)())
    return plugins


_BOOL: TypeAdapter[bool] = TypeAdapter(bool)


def connect_contributions(plugin: Plugin[Any], context: AuthContext) -> None:
    """Hand a set-up plugin's contributions to the services that run them: its rate-limit rules, user clean-ups,
    sign-in stages, checks of user input, filters of listed sessions, headers of `/get-session`, `on_account_secured`
    (run by the session service, docs/security.md K6), and what replaces or accompanies the core's verification
    email."""
    context.rate_limiter.add_plugin_rules(plugin.rate_limit_rules())
    for cleanup in plugin.user_cleanups():
        context.users.add_cleanup(cleanup)
    for stage in plugin.sign_in_stages():
        context.issuer.add_stage(stage)
    context.users.fields.input_checks.extend(plugin.user_input_checks())
    context.sessions.list_filters.extend(plugin.listed_session_filters())
    context.sessions.answer_headers.extend(plugin.session_answer_headers())
    context.sessions.add_secured_listener(plugin.on_account_secured)
    flows = context.email_password.emails
    if flows is not None:
        sender = plugin.verification_sender()
        if sender is not None:
            flows.verification_sender = sender
        on_sign_up = plugin.sign_up_verification_sender()
        if on_sign_up is not None:
            flows.sign_up_senders.append(on_sign_up)


def built_in_tables() -> Iterator[Table]:
    """The tables of every built-in plugin: the shipped migrations create them, enabled or not (a database is
    shared with a Node better-auth app that may use them)."""
    for plugin_id in BUILT_IN:
        yield from built_in(plugin_id)().tables()


def set_up_plugins(plugins: Sequence[Plugin[Any]], context: AuthContext) -> None:
    """Set each plugin up, in order, refuse an error code declared twice (by the core or another plugin), and
    connect what it contributes (`connect_contributions`)."""
    owners: dict[str, str] = {}
    for plugin in plugins:
        plugin.setup(context, plugin.resolve_options(context.settings))
        for code in plugin.error_codes:
            if code in ErrorCode.__members__ or code in owners:
                raise PluginSettingsError(f"plugin {plugin.id!r} declares error code {code} again")
            owners[code] = plugin.id
        connect_contributions(plugin, context)
