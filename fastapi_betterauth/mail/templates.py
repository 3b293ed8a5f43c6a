"""Subjects and bodies (plain text and HTML) of every email, with per-type overrides.

A template is a callable `(TemplateContext) -> (subject, text, html)`. `Templates(overrides={"reset-password": mine})`
replaces the wording of one type and keeps the defaults for the rest; `Templates(folder=...)` reads Jinja2 files per
type and locale (`folder.py`). A template that builds HTML must escape what it interpolates (`html.escape`): user
names and addresses come from users. Every template sees the recipient `user` (None when there is no account yet)
and the `locale` the email should be written in (docs/concepts/email-templates.md).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .folder import FolderTemplates
from .locale import request_locales, user_locale
from .message import EmailMessage, EmailType

if TYPE_CHECKING:
    from ..db.models import User
    from ..settings import EmailSettings


@dataclass(frozen=True, slots=True)
class TemplateContext:
    """What a template may put in an email."""

    type: EmailType
    to: str
    url: str
    user_name: str | None
    app_name: str
    new_email: str | None = None
    """The requested address, for the change-email emails."""
    code: str | None = None
    """The one-time code to type, for the `two-factor-otp` and `email-otp` emails (which have no link)."""
    otp_type: str | None = None
    """What an `email-otp` code is for: `sign-in`, `email-verification` or `forget-password`."""
    organization_name: str | None = None
    """The organization an `organization-invitation` invites into."""
    inviter: str | None = None
    """Who invited (their name or address), for `organization-invitation`."""
    user: User | None = None
    """The recipient's account (with its additional fields), when the email is about one."""
    locale: str | None = None
    """The language to write in, lower-case (`de-at`): the user's locale field, else the request's
    `Accept-Language`, else the templates' default; None when none is known."""


Template = Callable[[TemplateContext], tuple[str, str, str]]
"""Renders `(subject, text, html)` for one email."""


@dataclass(frozen=True, slots=True)
class _Wording:
    subject: str
    paragraphs: tuple[str, ...]
    action: str
    closing: tuple[str, ...]


def _wording(context: TemplateContext) -> _Wording:
    app = context.app_name
    match context.type:
        case "verify-email":
            return _Wording(
                subject=f"Verify your email address for {app}",
                paragraphs=(f"Please confirm that {context.to} is your email address for {app}.",),
                action="Verify email address",
                closing=("If you did not create an account, you can ignore this email.",),
            )
        case "reset-password":
            return _Wording(
                subject="Reset your password",
                paragraphs=(f"Someone asked to reset the password of your {app} account.",),
                action="Reset password",
                closing=("If it was not you, ignore this email: your password stays the same.",),
            )
        case "change-email-confirmation":
            new_email = context.new_email or "a new address"
            return _Wording(
                subject="Confirm your email change",
                paragraphs=(f"Someone asked to change the email address of your {app} account to {new_email}.",),
                action="Confirm email change",
                closing=("If it was not you, ignore this email: nothing changes.",),
            )
        case "change-email-verification":
            return _Wording(
                subject="Verify your new email address",
                paragraphs=(
                    f"Please confirm that {context.new_email or context.to} is the new address of your {app} account.",
                ),
                action="Verify new email address",
                closing=("If you did not ask for this change, you can ignore this email.",),
            )
        case "delete-account":
            return _Wording(
                subject="Confirm account deletion",
                paragraphs=(f"Someone asked to delete your {app} account. This cannot be undone.",),
                action="Delete my account",
                closing=("If it was not you, ignore this email and consider changing your password.",),
            )
        case "existing-account":
            return _Wording(
                subject="Someone tried to create an account with your email",
                paragraphs=(
                    f"Someone tried to sign up for {app} with {context.to}, but an account with this email address "
                    "already exists.",
                    "If it was you, sign in instead, or reset your password if you have forgotten it.",
                ),
                action="Sign in",
                closing=("If it was not you, you can ignore this email.",),
            )
        case "magic-link":
            return _Wording(
                subject=f"Sign in to {app}",
                paragraphs=(f"Use this link to sign in to {app} as {context.to}. It works once, for minutes.",),
                action="Sign in",
                closing=("If you did not ask for it, you can ignore this email.",),
            )
        case "email-otp":
            purpose = _OTP_PURPOSES.get(context.otp_type or "", "confirm your email address")
            return _Wording(
                subject=f"Your {app} code",
                paragraphs=(f"Your code to {purpose} is {context.code}. It expires in minutes.",),
                action="",
                closing=("If you did not ask for it, you can ignore this email.",),
            )
        case "organization-invitation":
            who = context.inviter or "Someone"
            where = context.organization_name or "an organization"
            return _Wording(
                subject=f"You are invited to join {where} on {app}",
                paragraphs=(f"{who} invited {context.to} to join {where} on {app}.",),
                action="Accept the invitation",
                closing=("If you do not want to join, you can ignore this email.",),
            )
        case "two-factor-otp":
            return _Wording(
                subject=f"Your {app} sign-in code",
                paragraphs=(f"Your code to finish signing in to {app} is {context.code}. It expires in minutes.",),
                action="",
                closing=("If it was not you, someone knows your password: change it now.",),
            )


_OTP_PURPOSES = {
    "sign-in": "sign in",
    "email-verification": "verify your email address",
    "forget-password": "reset your password",
}


def _default(context: TemplateContext) -> tuple[str, str, str]:
    wording = _wording(context)
    greeting = f"Hi {context.user_name}," if context.user_name else "Hi,"
    link = context.url

    text_parts = [greeting, *wording.paragraphs]
    if link:
        text_parts.append(f"{wording.action}:\n{link}")
    text_parts.extend(wording.closing)
    text = "\n\n".join(text_parts) + "\n"

    def para(value: str) -> str:
        return f"<p>{html.escape(value)}</p>"

    html_parts = [para(greeting), *(para(value) for value in wording.paragraphs)]
    if link:
        href = html.escape(link, quote=True)
        html_parts.append(f'<p><a href="{href}">{html.escape(wording.action)}</a></p>')
        html_parts.append(f"<p>Or open this link: {html.escape(link)}</p>")
    html_parts.extend(para(value) for value in wording.closing)
    body = "\n".join(html_parts)
    html_body = (
        '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>'
        f"{html.escape(wording.subject)}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    )
    return wording.subject, text, html_body


class Templates:
    """The wording of every email: short, plain defaults, replaced per type by `overrides`, or by the Jinja2 files
    of `folder` (per type and locale, see `folder.py`).

    `locale_field` names an additional user field holding the user's locale (e.g. `locale`); without it, or when it
    is empty, the request's `Accept-Language` chooses, then `default_locale`.
    """

    def __init__(
        self,
        overrides: Mapping[EmailType, Template] | None = None,
        *,
        folder: str | Path | None = None,
        locale_field: str | None = None,
        default_locale: str | None = None,
    ) -> None:
        self._overrides: dict[EmailType, Template] = dict(overrides or {})
        self._folder = FolderTemplates(folder) if folder is not None else None
        self.locale_field = locale_field
        self.default_locale = default_locale.lower() if default_locale else None

    @classmethod
    def from_settings(cls, email: EmailSettings) -> Templates:
        """The wording `email` settings ask for: built-in, or from `templates_dir`, with their locale options."""
        return cls(folder=email.templates_dir, locale_field=email.locale_field, default_locale=email.default_locale)

    def locale_for(self, user: User | None) -> str | None:
        """The locale an email to `user` is written in, sent while answering the current request."""
        return user_locale(user, self.locale_field) or next(iter(request_locales()), None) or self.default_locale

    def render(self, context: TemplateContext) -> tuple[str, str, str]:
        """`(subject, text, html)` for `context.type`: the override if there is one, else the folder's files for
        the type, else the default."""
        override = self._overrides.get(context.type)
        if override is not None:
            return override(context)
        if self._folder is not None:
            rendered = self._folder.render(context)
            if rendered is not None:
                return rendered
        return _default(context)


def build_message(
    type: EmailType,
    *,
    to: str,
    url: str,
    token: str,
    user_id: str | None,
    user_name: str | None,
    app_name: str,
    templates: Templates,
    new_email: str | None = None,
    code: str | None = None,
    otp_type: str | None = None,
    organization_name: str | None = None,
    inviter: str | None = None,
    details: tuple[tuple[str, str | None], ...] = (),
    user: User | None = None,
) -> EmailMessage:
    """Render an email of `type` to `to` with `templates`. `token` is the raw token inside `url` ("" when none), or
    the `code` of an email without a link; `user` the recipient's account, when there is one."""
    context = TemplateContext(
        type=type,
        to=to,
        url=url,
        user_name=user_name,
        app_name=app_name,
        new_email=new_email,
        code=code,
        otp_type=otp_type,
        organization_name=organization_name,
        inviter=inviter,
        user=user,
        locale=templates.locale_for(user),
    )
    subject, text, html_body = templates.render(context)
    return EmailMessage(
        type=type,
        to=to,
        subject=subject,
        text=text,
        html=html_body,
        url=url,
        token=token,
        user_id=user_id,
        otp_type=otp_type,
        details=details,
    )
