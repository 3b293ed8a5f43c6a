"""Email delivery: templates, the console/file/SMTP senders (SMTP against a real aiosmtpd server) and the Mailer."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import get_args

import aiosmtplib
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fastapi_betterauth import ManualClock
from fastapi_betterauth.audit import email_digest
from fastapi_betterauth.mail import (
    ConsoleSender,
    EmailMessage,
    EmailType,
    FileSender,
    InvalidRecipientError,
    Mailer,
    SmtpSender,
    TemplateContext,
    Templates,
    build_message,
    sender_from_settings,
)
from fastapi_betterauth.settings import EmailSettings

from ..conftest import SMTP_PASSWORD, SMTP_USERNAME, SmtpServer, settings

TOKEN = "tok_5f3a9c1e7b2d4068a1c3e5f7"
URL = f"https://app.example/api/auth/verify-email?token={TOKEN}&callbackURL=%2Fdone"
ALL_TYPES: tuple[EmailType, ...] = get_args(EmailType)
LINK_TYPES = tuple(type for type in ALL_TYPES if type not in ("two-factor-otp", "email-otp"))


def message(type: EmailType = "verify-email", *, to: str = "ann@example.com", **overrides: object) -> EmailMessage:
    values: dict[str, object] = {
        "to": to,
        "url": URL,
        "token": TOKEN,
        "user_id": "user_1",
        "user_name": "Ann",
        "app_name": "Acme",
        "templates": Templates(),
    }
    values.update(overrides)
    return build_message(type, **values)  # type: ignore[arg-type]


def smtp_settings(port: int, **overrides: object) -> EmailSettings:
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "from_address": "Acme <no-reply@acme.test>",
        "smtp_timeout": 5,
    }
    values.update(overrides)
    return EmailSettings.model_validate(values)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --- Templates ---


EXPECTED_SUBJECTS: dict[EmailType, str] = {
    "verify-email": "Verify your email address for Acme",
    "reset-password": "Reset your password",
    "change-email-confirmation": "Confirm your email change",
    "change-email-verification": "Verify your new email address",
    "delete-account": "Confirm account deletion",
    "existing-account": "Someone tried to create an account with your email",
    "magic-link": "Sign in to Acme",
    "organization-invitation": "You are invited to join an organization on Acme",
}


@pytest.mark.parametrize("type", LINK_TYPES)
def test_default_template_of_every_type_carries_the_link(type: EmailType) -> None:
    built = message(type, new_email="ann.new@example.com")

    assert built.type == type
    assert built.subject == EXPECTED_SUBJECTS[type]
    assert (built.to, built.url, built.token, built.user_id) == ("ann@example.com", URL, TOKEN, "user_1")
    assert built.text.startswith("Hi Ann,")
    assert URL in built.text
    escaped = URL.replace("&", "&amp;")
    assert f'<a href="{escaped}">' in built.html
    assert built.html.count(escaped) == 2  # the link, and the link printed as text
    assert "<p>Hi Ann,</p>" in built.html


def test_an_email_otp_is_mailed_without_a_link_and_written_with_its_type(tmp_path: Path) -> None:
    otp = message("email-otp", url="", token="120456", code="120456", otp_type="forget-password")

    assert otp.subject == "Your Acme code"
    assert "Your code to reset your password is 120456." in otp.text
    assert "<a " not in otp.html
    asyncio.run(FileSender(tmp_path / "outbox.jsonl").send(otp))
    line = json.loads((tmp_path / "outbox.jsonl").read_text())
    assert (line["type"], line["otp"], line["otpType"]) == ("email-otp", "120456", "forget-password")


def test_a_two_factor_code_is_mailed_without_a_link() -> None:
    otp = message("two-factor-otp", url="", token="482913", code="482913")

    assert otp.subject == "Your Acme sign-in code"
    assert (otp.url, otp.token) == ("", "482913")
    assert "Your code to finish signing in to Acme is 482913." in otp.text
    assert "482913" in otp.html
    assert "<a " not in otp.html


def test_change_email_wording_names_the_new_address() -> None:
    confirmation = message("change-email-confirmation", new_email="ann.new@example.com")
    verification = message("change-email-verification", to="ann.new@example.com", new_email="ann.new@example.com")

    assert "to ann.new@example.com" in confirmation.text
    assert "ann.new@example.com is the new address of your Acme account" in verification.text


def test_existing_account_notice_offers_sign_in_and_reset_without_a_token() -> None:
    notice = message("existing-account", url="", token="")

    assert notice.subject == "Someone tried to create an account with your email"
    assert "already exists" in notice.text
    assert "sign in" in notice.text
    assert "reset your password" in notice.text
    assert "href" not in notice.html
    assert (notice.url, notice.token) == ("", "")

    with_link = message("existing-account", url="https://app.example/sign-in", token="")
    assert "Sign in:\nhttps://app.example/sign-in" in with_link.text
    assert '<a href="https://app.example/sign-in">Sign in</a>' in with_link.html


def test_greeting_without_a_name() -> None:
    assert message(user_name=None).text.startswith("Hi,\n")


def test_hostile_values_are_escaped_in_html_and_kept_in_text() -> None:
    name = '<script>alert("x")</script> & co'
    built = message(user_name=name, app_name="<b>Acme</b>", url='https://app.example/v?a=1&b="2"<x>')

    assert "<script>" not in built.html
    assert "<b>" not in built.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in built.html
    assert "&lt;b&gt;Acme&lt;/b&gt;" in built.html
    assert '<a href="https://app.example/v?a=1&amp;b=&quot;2&quot;&lt;x&gt;">' in built.html
    assert f"Hi {name}," in built.text


def test_templates_override_one_type_and_keep_the_defaults() -> None:
    seen: list[TemplateContext] = []

    def reset(context: TemplateContext) -> tuple[str, str, str]:
        seen.append(context)
        return f"[{context.app_name}] New password", f"Go to {context.url}", f"<a href='{context.url}'>go</a>"

    templates = Templates({"reset-password": reset})
    overridden = message("reset-password", templates=templates)
    default = message("verify-email", templates=templates)

    assert (overridden.subject, overridden.text) == ("[Acme] New password", f"Go to {URL}")
    assert overridden.html == f"<a href='{URL}'>go</a>"
    assert (overridden.url, overridden.token, overridden.user_id) == (URL, TOKEN, "user_1")
    assert seen == [TemplateContext("reset-password", "ann@example.com", URL, "Ann", "Acme")]
    assert default.subject == "Verify your email address for Acme"


# --- ConsoleSender ---


async def test_console_sender_logs_subject_recipient_and_link(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="fastapi_betterauth.mail"):
        await ConsoleSender().send(message())

    [record] = [record for record in caplog.records if record.name == "fastapi_betterauth.mail"]
    assert record.levelno == logging.INFO
    text = record.getMessage()
    assert "ann@example.com" in text
    assert "Verify your email address for Acme" in text
    assert URL in text


# --- FileSender ---


async def test_file_sender_appends_one_json_line_per_message(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 11, 22, 12, 0, 0, 123456, tzinfo=UTC))
    outbox = tmp_path / "deep" / "er" / "outbox.jsonl"
    sender = FileSender(outbox, clock)

    await sender.send(message())
    clock.advance(timedelta(seconds=1))
    await sender.send(message("existing-account", to="bob@example.com", url="", token="", user_id=None))

    lines = outbox.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "type": "verify-email",
            "to": "ann@example.com",
            "userId": "user_1",
            "url": URL,
            "token": TOKEN,
            "subject": "Verify your email address for Acme",
            "at": "2026-11-22T12:00:00.123Z",
        },
        {
            "type": "existing-account",
            "to": "bob@example.com",
            "userId": None,
            "url": "",
            "token": "",
            "subject": "Someone tried to create an account with your email",
            "at": "2026-11-22T12:00:01.123Z",
        },
    ]


async def test_concurrent_file_sends_never_interleave(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.jsonl"
    # Two senders on one file, as two workers of one app would have, and long lines.
    senders = [FileSender(outbox), FileSender(str(outbox))]
    padding = "x" * 20_000
    messages = [message(url=f"{URL}&n={n}&{padding}", token=f"token-{n}") for n in range(120)]

    await asyncio.gather(*(senders[n % 2].send(item) for n, item in enumerate(messages)))

    records = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert sorted(record["token"] for record in records) == sorted(f"token-{n}" for n in range(120))
    assert all(set(record) == {"type", "to", "userId", "url", "token", "subject", "at"} for record in records)
    assert all(record["at"].endswith("Z") for record in records)


# --- SmtpSender against the real server ---


async def test_smtp_sender_delivers_multipart_text_and_html(smtp_server: SmtpServer) -> None:
    sender = SmtpSender(smtp_settings(smtp_server.port))

    await sender.send(message(to="ann@example.com"))

    [received] = await smtp_server.received(1)
    assert received["From"] == "Acme <no-reply@acme.test>"
    assert received["To"] == "ann@example.com"
    assert received["Subject"] == "Verify your email address for Acme"
    assert received["Message-ID"].endswith("@acme.test>")
    assert received["Date"]
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert text is not None
    assert html is not None
    assert URL in text.get_content()
    assert f'href="{URL.replace("&", "&amp;")}"' in html.get_content()
    [envelope] = smtp_server.envelopes
    assert (envelope.mail_from, envelope.rcpt_tos, envelope.login) == ("no-reply@acme.test", ["ann@example.com"], None)


async def test_smtp_sender_logs_in(smtp_server: SmtpServer) -> None:
    sender = SmtpSender(smtp_settings(smtp_server.port, smtp_username=SMTP_USERNAME, smtp_password=SMTP_PASSWORD))

    await sender.send(message())

    await smtp_server.received(1)
    assert smtp_server.envelopes[0].login == SMTP_USERNAME


async def test_smtp_sender_with_a_wrong_password_raises_and_delivers_nothing(smtp_server: SmtpServer) -> None:
    sender = SmtpSender(smtp_settings(smtp_server.port, smtp_username=SMTP_USERNAME, smtp_password="wrong"))

    with pytest.raises(aiosmtplib.SMTPAuthenticationError):
        await sender.send(message())

    assert smtp_server.messages == []


async def test_smtp_sender_raises_when_the_server_refuses_the_connection() -> None:
    with pytest.raises(aiosmtplib.SMTPConnectError):
        await SmtpSender(smtp_settings(closed_port())).send(message())


def test_smtp_sender_needs_a_host() -> None:
    with pytest.raises(ValueError, match="smtp_host"):
        SmtpSender(EmailSettings())


# --- TLS: a self-signed certificate for 127.0.0.1, trusted through SSL_CERT_FILE ---


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def tls_server(certificate: tuple[Path, Path], **options: bool) -> Iterator[SmtpServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    server = SmtpServer(context, **options)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    """Refuses mail until the client upgrades with STARTTLS."""
    yield from tls_server(certificate, require_starttls=True)


@pytest.fixture
def implicit_tls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    yield from tls_server(certificate, implicit_tls=True)


@pytest.fixture
def trust_certificate(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))


@pytest.mark.usefixtures("trust_certificate")
async def test_starttls_upgrades_before_logging_in_and_sending(starttls_server: SmtpServer) -> None:
    sender = SmtpSender(smtp_settings(starttls_server.port, smtp_username=SMTP_USERNAME, smtp_password=SMTP_PASSWORD))

    await sender.send(message())

    [received] = await starttls_server.received(1)
    assert received["Subject"] == "Verify your email address for Acme"
    assert starttls_server.envelopes[0].login == SMTP_USERNAME


@pytest.mark.usefixtures("trust_certificate")
async def test_starttls_off_sends_in_plain_text(starttls_server: SmtpServer) -> None:
    sender = SmtpSender(smtp_settings(starttls_server.port, smtp_starttls=False))

    # This server insists on STARTTLS, so a client that never upgrades is turned away.
    with pytest.raises(aiosmtplib.SMTPException, match="STARTTLS"):
        await sender.send(message())
    assert starttls_server.messages == []


@pytest.mark.usefixtures("trust_certificate")
async def test_implicit_tls(implicit_tls_server: SmtpServer) -> None:
    await SmtpSender(smtp_settings(implicit_tls_server.port, smtp_tls=True)).send(message())

    [received] = await implicit_tls_server.received(1)
    assert received["To"] == "ann@example.com"


async def test_tls_verifies_the_server_certificate(implicit_tls_server: SmtpServer) -> None:
    # Without SSL_CERT_FILE the self-signed certificate is not trusted.
    with pytest.raises(aiosmtplib.SMTPConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        await SmtpSender(smtp_settings(implicit_tls_server.port, smtp_tls=True)).send(message())
    assert implicit_tls_server.messages == []


# --- sender_from_settings ---


def test_sender_from_settings(tmp_path: Path) -> None:
    clock = ManualClock()
    outbox = str(tmp_path / "outbox.jsonl")

    file_sender = sender_from_settings(EmailSettings(outbox=outbox, smtp_host="smtp.example"), clock)
    assert isinstance(file_sender, FileSender)
    assert file_sender.path == Path(outbox)
    assert isinstance(sender_from_settings(EmailSettings(smtp_host="smtp.example")), SmtpSender)
    assert isinstance(sender_from_settings(EmailSettings()), ConsoleSender)


async def test_outbox_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outbox = tmp_path / "mail" / "outbox.jsonl"
    monkeypatch.setenv("BETTER_AUTH_EMAIL__OUTBOX", str(outbox))

    sender = sender_from_settings(settings().email)
    await sender.send(message())

    assert json.loads(outbox.read_text(encoding="utf-8"))["token"] == TOKEN


# --- Mailer ---


class GatedSender:
    """Records messages, but only once the gate opens."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        await self.gate.wait()
        self.sent.append(message)


class LeakyFailingSender:
    """Fails with an error that quotes the link and the recipient, as a careless sender (or SMTP server) might."""

    async def send(self, message: EmailMessage) -> None:
        raise RuntimeError(f"could not deliver {message.url} (token {message.token}) to {message.to}")


async def test_dispatch_returns_before_the_send_and_drain_waits_for_it() -> None:
    sender = GatedSender()
    mailer = Mailer(sender)

    mailer.dispatch(message())
    mailer.dispatch(message("reset-password"))
    await asyncio.sleep(0)
    assert sender.sent == []  # the caller is not held up by the send

    drained = asyncio.ensure_future(mailer.drain())
    await asyncio.sleep(0.01)
    assert not drained.done()
    sender.gate.set()
    await asyncio.wait_for(drained, 5)
    assert [item.type for item in sender.sent] == ["verify-email", "reset-password"]


async def test_drain_with_nothing_pending_returns() -> None:
    await asyncio.wait_for(Mailer(ConsoleSender()).drain(), 1)


async def test_dispatch_over_smtp(smtp_server: SmtpServer) -> None:
    mailer = Mailer(SmtpSender(smtp_settings(smtp_server.port)))

    for n in range(3):
        mailer.dispatch(message(to=f"user{n}@example.com"))
    await mailer.drain()

    assert sorted(item["To"] for item in smtp_server.messages) == [f"user{n}@example.com" for n in range(3)]


async def test_a_refused_connection_is_logged_without_the_token(caplog: pytest.LogCaptureFixture) -> None:
    mailer = Mailer(SmtpSender(smtp_settings(closed_port())))

    with caplog.at_level(logging.INFO, logger="fastapi_betterauth.mail"):
        mailer.dispatch(message("reset-password", to="ann@example.com"))
        await mailer.drain()

    [record] = [record for record in caplog.records if record.name == "fastapi_betterauth.mail"]
    assert record.levelno == logging.ERROR
    assert "reset-password" in record.getMessage()
    assert email_digest("ann@example.com") in record.getMessage()  # L7: a digest names the recipient...
    assert "ann@example.com" not in caplog.text  # ...never the address
    assert "SMTPConnectError" in record.getMessage()
    assert TOKEN not in caplog.text


async def test_a_failure_quoting_the_link_is_logged_redacted(caplog: pytest.LogCaptureFixture) -> None:
    mailer = Mailer(LeakyFailingSender())

    with caplog.at_level(logging.INFO, logger="fastapi_betterauth.mail"):
        mailer.dispatch(message())
        await mailer.drain()

    assert "RuntimeError: could not deliver [redacted] (token [redacted]) to [redacted]" in caplog.text
    assert TOKEN not in caplog.text
    assert "ann@example.com" not in caplog.text  # L7
    assert "verify-email" in caplog.text


@pytest.mark.parametrize("to", ["ann@example.com\n", "ann@example.com\r\nBcc: eve@example.com", "ann\x00@x.io", ""])
async def test_the_mailer_never_sends_to_an_address_with_control_characters(
    smtp_server: SmtpServer, to: str, caplog: pytest.LogCaptureFixture
) -> None:
    """L9: a newline in the recipient would break the mail's headers; the mailer refuses, clearly, and sends
    nothing. The error names no address (L7)."""
    mailer = Mailer(SmtpSender(smtp_settings(smtp_server.port)))
    with pytest.raises(InvalidRecipientError, match="control characters") as refused:
        mailer.dispatch(message(to=to))
    await mailer.drain()
    assert smtp_server.messages == []
    assert "ann" not in str(refused.value)


def test_dispatch_outside_an_event_loop_logs_and_does_not_raise(caplog: pytest.LogCaptureFixture) -> None:
    sender = GatedSender()
    mailer = Mailer(sender)

    with caplog.at_level(logging.INFO, logger="fastapi_betterauth.mail"):
        mailer.dispatch(message())

    assert "no running event loop" in caplog.text
    assert TOKEN not in caplog.text
    assert "ann@example.com" not in caplog.text  # L7


def test_an_organization_invitation_names_the_organization_and_is_recorded_with_its_facts(tmp_path: Path) -> None:
    invitation = message(
        "organization-invitation",
        token="",
        user_id=None,
        user_name=None,
        organization_name="Globex <Labs>",
        inviter="Bob",
        details=(("invitationId", "inv_1"), ("organizationId", "org_1"), ("role", "admin"), ("inviterEmail", "b@x.io")),
    )
    assert invitation.subject == "You are invited to join Globex <Labs> on Acme"
    assert "Bob invited ann@example.com to join Globex <Labs> on Acme." in invitation.text
    assert "Globex &lt;Labs&gt;" in invitation.html
    assert "Globex <Labs>" not in invitation.html
    sender = FileSender(tmp_path / "outbox.jsonl")
    asyncio.run(sender.send(invitation))
    [line] = [json.loads(text) for text in (tmp_path / "outbox.jsonl").read_text().splitlines()]
    assert (line["type"], line["invitationId"], line["organizationId"], line["role"], line["inviterEmail"]) == (
        "organization-invitation",
        "inv_1",
        "org_1",
        "admin",
        "b@x.io",
    )
