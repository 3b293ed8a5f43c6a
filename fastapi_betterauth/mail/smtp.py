"""`SmtpSender`: delivery through an SMTP server with aiosmtplib."""

from __future__ import annotations

import email.message
import email.utils

import aiosmtplib

from ..settings import EmailSettings
from .message import EmailMessage


class SmtpSender:
    """Sends each message as multipart/alternative (plain text and HTML) from `settings.from_address`.

    Implicit TLS with `smtp_tls` (usually port 465); otherwise STARTTLS when `smtp_starttls` is on and the server offers
    it (port 587); login when `smtp_username` is set. Certificates are verified. One connection per message, bounded by
    `smtp_timeout`; any failure raises (an `aiosmtplib.SMTPException` or `OSError`).
    """

    def __init__(self, settings: EmailSettings) -> None:
        if not settings.smtp_host:
            raise ValueError("SmtpSender needs settings.smtp_host")
        self._settings = settings

    def _compose(self, message: EmailMessage) -> email.message.EmailMessage:
        """The MIME message `send` delivers for `message`."""
        settings = self._settings
        mime = email.message.EmailMessage()
        mime["From"] = settings.from_address
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
        # An explicit domain: make_msgid() would otherwise ask DNS for this host's name on every message.
        domain = email.utils.parseaddr(settings.from_address)[1].rpartition("@")[2] or "localhost"
        mime["Message-ID"] = email.utils.make_msgid(domain=domain)
        mime.set_content(message.text)
        mime.add_alternative(message.html, subtype="html")
        return mime

    async def send(self, message: EmailMessage) -> None:
        """Deliver `message` over SMTP, or raise."""
        settings = self._settings
        password = settings.smtp_password.get_secret_value() if settings.smtp_password is not None else None
        await aiosmtplib.send(
            self._compose(message),
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password if settings.smtp_username else None,
            use_tls=settings.smtp_tls,
            # None: upgrade when the server offers STARTTLS; False: never. Implicit TLS needs no upgrade.
            start_tls=None if settings.smtp_starttls and not settings.smtp_tls else False,
            timeout=settings.smtp_timeout.total_seconds(),
        )
