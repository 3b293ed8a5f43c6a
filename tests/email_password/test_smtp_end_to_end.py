"""End to end through a real SMTP server (aiosmtpd on loopback): the emails a user gets, and the links in them."""

from __future__ import annotations

import re
from email.message import EmailMessage
from urllib.parse import urlsplit

import httpx2 as httpx

from ..conftest import BASE_URL, PASSWORD, AuthFactory, ConfiguredClientFactory, SmtpServer, sign_in, sign_up

LINK = re.compile(r"https://testserver/\S+")


def link_in(message: EmailMessage) -> str:
    """The link of a received email (from its text part), as a path + query for the test client."""
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    url = LINK.search(text.get_content())
    assert url is not None, text.get_content()
    parts = urlsplit(url.group(0))
    return f"{parts.path}?{parts.query}"


async def smtp_client(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, smtp: SmtpServer, **options: object
) -> tuple[httpx.AsyncClient, object]:
    email = {"smtp_host": smtp.host, "smtp_port": smtp.port, "smtp_starttls": False, "from_address": "auth@app.example"}
    auth = make_auth(email=email, **options)
    return await make_configured_client(auth), auth


async def test_sign_up_receive_the_email_follow_the_link(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, smtp_server: SmtpServer
) -> None:
    client, auth = await smtp_client(
        make_auth, make_configured_client, smtp_server, email_and_password={"require_email_verification": True}
    )
    await sign_up(client)
    await auth.drain()  # type: ignore[attr-defined]
    await smtp_server.received(1)
    [message] = smtp_server.messages
    assert message["To"] == "ann@example.com"
    assert message["From"] == "auth@app.example"
    assert (await sign_in(client)).json()["code"] == "EMAIL_NOT_VERIFIED"
    followed = await client.get(link_in(message))
    assert followed.status_code == 302
    assert (await sign_in(client)).status_code == 200


async def test_reset_by_the_emailed_link(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, smtp_server: SmtpServer
) -> None:
    client, auth = await smtp_client(make_auth, make_configured_client, smtp_server)
    await sign_up(client)
    await client.post("/api/auth/request-password-reset", json={"email": "ann@example.com", "redirectTo": "/reset"})
    await auth.drain()  # type: ignore[attr-defined]
    await smtp_server.received(1)
    landing = await client.get(link_in(smtp_server.messages[0]))
    token = landing.headers["location"].split("token=")[1]
    reset = await client.post("/api/auth/reset-password", json={"token": token, "newPassword": "new passphrase!"})
    assert reset.json() == {"status": True}
    assert (await sign_in(client, password=PASSWORD)).status_code == 401
    assert (await sign_in(client, password="new passphrase!")).status_code == 200
    assert BASE_URL in smtp_server.messages[0].get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]


async def test_duplicate_sign_up_mails_the_owner_instead(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, smtp_server: SmtpServer
) -> None:
    """L1: in verification-required mode a taken address answers like a new one; its owner gets a notice."""
    client, auth = await smtp_client(
        make_auth, make_configured_client, smtp_server, email_and_password={"require_email_verification": True}
    )
    first = await sign_up(client)
    second = await sign_up(client)
    assert first.status_code == second.status_code == 200
    assert first.json()["user"]["id"] != second.json()["user"]["id"]
    await auth.drain()  # type: ignore[attr-defined]
    await smtp_server.received(2)
    subjects = sorted(str(m["Subject"]) for m in smtp_server.messages)
    assert len(subjects) == 2
    assert any("account" in subject.lower() for subject in subjects)


async def test_change_email_through_both_addresses(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, smtp_server: SmtpServer
) -> None:
    client, auth = await smtp_client(
        make_auth, make_configured_client, smtp_server, user={"change_email": {"enabled": True}}
    )
    await sign_up(client)
    await client.post("/api/auth/send-verification-email", json={"email": "ann@example.com"})
    await auth.drain()  # type: ignore[attr-defined]
    await smtp_server.received(1)
    await client.get(link_in(smtp_server.messages[0]))
    await client.post("/api/auth/change-email", json={"newEmail": "new@example.com"})
    await auth.drain()  # type: ignore[attr-defined]
    await smtp_server.received(2)
    assert smtp_server.messages[1]["To"] == "ann@example.com"
    await client.get(link_in(smtp_server.messages[1]))
    await auth.drain()  # type: ignore[attr-defined]
    await smtp_server.received(3)
    assert smtp_server.messages[2]["To"] == "new@example.com"
    await client.get(link_in(smtp_server.messages[2]))
    assert (await client.get("/me")).json()["email"] == "new@example.com"


async def test_delete_account_via_the_emailed_link(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, smtp_server: SmtpServer
) -> None:
    client, auth = await smtp_client(
        make_auth,
        make_configured_client,
        smtp_server,
        user={"delete_user": {"enabled": True, "confirm_by_email": True}},
    )
    await sign_up(client)
    sent = await client.post("/api/auth/delete-user", json={})
    assert sent.json()["message"] == "Verification email sent"
    await auth.drain()  # type: ignore[attr-defined]
    await smtp_server.received(1)
    followed = await client.get(link_in(smtp_server.messages[0]))
    assert followed.status_code == 302
    assert (await sign_in(client)).status_code == 401
