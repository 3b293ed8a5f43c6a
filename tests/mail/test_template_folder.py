"""Replaceable, localised email templates: Jinja2 files per type and locale (`email.templates_dir`), written in the
user's locale field or the request's `Accept-Language`, with the recipient `user` in the template context."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi import FastAPI

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.db.models import User
from fastapi_betterauth.mail import EmailMessage, TemplateContext, Templates, build_message
from fastapi_betterauth.mail.locale import accepted_languages, fallbacks

from ..conftest import AuthFactory, ClientFactory, build_app, settings, sign_up


class Recorder:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    files = {
        "reset-password.subject.txt": "Reset for {{ app_name }}\nInjected: header",
        "reset-password.txt": "Hello {{ user.name if user else 'there' }} ({{ locale }}): {{ url }}\n",
        "de/reset-password.subject.txt": "Passwort zurücksetzen",
        "de/reset-password.txt": "Hallo {{ user.name }}: {{ url }}\n",
        "de/reset-password.html": '<p>Hallo {{ user.name }}</p><a href="{{ url }}">Link</a>',
        "fr/reset-password.subject.txt": "Réinitialiser le mot de passe",
        "fr/reset-password.txt": "Bonjour {{ user.name }} : {{ url }}\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def context(locale: str | None, name: str = "Ann", type: str = "reset-password") -> TemplateContext:
    user = User(id="u1", name=name, email="ann@example.com")
    return TemplateContext(
        type=type,  # type: ignore[arg-type]
        to="ann@example.com",
        url="https://app.example/reset?t=1&x=2",
        user_name=name,
        app_name="Demo",
        user=user,
        locale=locale,
    )


def test_accept_language_is_ranked_by_quality_and_malformed_tags_are_dropped() -> None:
    header = "fr;q=0.4, de-AT, de;q=0.9, *;q=0.8, en;q=0, ../etc;q=1, x"
    assert accepted_languages(header) == ("de-at", "x", "de", "fr")
    assert accepted_languages(None) == ()
    assert fallbacks("de-AT") == ("de-at", "de")


def test_folder_templates_choose_the_locale_then_its_language_then_the_root(folder: Path) -> None:
    templates = Templates(folder=folder)
    subject, text, html_body = templates.render(context("de-at"))
    assert subject == "Passwort zurücksetzen"
    assert text == "Hallo Ann: https://app.example/reset?t=1&x=2\n"
    assert html_body == '<p>Hallo Ann</p><a href="https://app.example/reset?t=1&amp;x=2">Link</a>'

    subject, text, html_body = templates.render(context("es"))
    assert subject == "Reset for Demo Injected: header", "the subject is one header line"
    assert text == "Hello Ann (es): https://app.example/reset?t=1&x=2\n"
    assert "<p>Hello Ann (es): https://app.example/reset?t=1&amp;x=2</p>" in html_body, "HTML made from the text"


def test_html_files_escape_user_values_and_text_files_keep_them(folder: Path) -> None:
    """A name is user input: the HTML part escapes it, the plain text part keeps it as typed (docs/security.md L9
    concerns headers: the subject stays one line)."""
    _, text, html_body = Templates(folder=folder).render(context("de", name="<b>Ann</b>"))
    assert "<p>Hallo &lt;b&gt;Ann&lt;/b&gt;</p>" in html_body
    assert text.startswith("Hallo <b>Ann</b>:")


def test_types_without_files_and_overrides_keep_their_wording(folder: Path) -> None:
    def mine(context: TemplateContext) -> tuple[str, str, str]:
        return f"mine {context.locale}", "text", "<p>html</p>"

    templates = Templates({"reset-password": mine}, folder=folder)
    assert templates.render(context("de"))[0] == "mine de", "a code override comes first"
    subject, _, _ = templates.render(context("de", type="verify-email"))
    assert subject == "Verify your email address for Demo", "no file for the type: the built-in wording"


def test_a_missing_folder_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a folder"):
        Templates(folder=tmp_path / "missing")


def test_build_message_passes_the_user_and_the_default_locale(folder: Path) -> None:
    user = User(id="u1", name="Ann", email="ann@example.com")
    message = build_message(
        "reset-password",
        to=user.email,
        url="https://x.example/r",
        token="t",
        user_id=user.id,
        user_name=user.name,
        app_name="Demo",
        templates=Templates(folder=folder, default_locale="FR"),
        user=user,
    )
    assert message.subject == "Réinitialiser le mot de passe"
    assert message.text == "Bonjour Ann : https://x.example/r\n"


async def reset_email(auth: BetterAuth, client: httpx.AsyncClient, recorder: Recorder, **headers: str) -> EmailMessage:
    answer = await client.post(
        "/api/auth/request-password-reset",
        json={"email": "ann@example.com"},
        headers={"origin": str(client.base_url), **headers},
    )
    assert answer.status_code == 200, answer.text
    await auth.drain()
    return recorder.sent[-1]


async def test_the_request_accept_language_chooses_the_email_language(
    make_auth: AuthFactory, make_client: ClientFactory, folder: Path
) -> None:
    recorder = Recorder()
    auth = make_auth(email={"templates_dir": str(folder)}, email_sender=recorder)
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(auth)), base_url="https://testserver") as client,
        auth.lifespan(FastAPI()),
    ):
        await sign_up(client)
        german = await reset_email(auth, client, recorder, **{"accept-language": "de-DE,de;q=0.9,en;q=0.5"})
        plain = await reset_email(auth, client, recorder)
    assert german.subject == "Passwort zurücksetzen"
    assert german.text.startswith("Hallo Ann: https://testserver/api/auth/reset-password/")
    assert plain.subject == "Reset for fastapi-betterauth Injected: header"
    assert plain.text.startswith("Hello Ann (None): ")


async def test_the_user_locale_field_wins_over_the_request(tmp_path: Path, folder: Path) -> None:
    recorder = Recorder()
    # Its own SQLite file: the locale column is added by migrate(), which must not touch the suite's shared
    # PostgreSQL database.
    auth = BetterAuth(
        settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'locale.db'}",
            email={"templates_dir": str(folder), "locale_field": "locale"},
            user={"additional_fields": {"locale": {"type": "string", "required": False}}},
        ),
        email_sender=recorder,
    )
    await auth.migrate()  # adds the locale column
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(auth)), base_url="https://testserver") as client,
        auth.lifespan(FastAPI()),
    ):
        signed_up = await sign_up(client, locale="fr")
        assert signed_up.status_code == 200, signed_up.text
        message = await reset_email(auth, client, recorder, **{"accept-language": "de"})
    assert message.subject == "Réinitialiser le mot de passe"
    assert message.text.startswith("Bonjour Ann : ")
