"""What an email is (`EmailMessage`) and what sends one (`EmailSender`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

EmailType = Literal[
    "verify-email",
    "reset-password",
    "change-email-confirmation",
    "change-email-verification",
    "delete-account",
    "existing-account",
    "two-factor-otp",
    "magic-link",
    "email-otp",
    "organization-invitation",
]
"""The emails the toolkit sends. The same names appear as `type` in the JSON lines of `FileSender`."""


@dataclass(frozen=True, slots=True)
class EmailMessage:
    """One rendered email, ready for any `EmailSender`.

    `url` is the link to follow ("" for an existing-account notice without a link) and `token` the raw token inside it
    ("" when there is none), so development and test senders can hand them over without parsing the body.
    """

    type: EmailType
    to: str
    subject: str
    text: str
    html: str
    url: str
    token: str
    user_id: str | None
    otp_type: str | None = None
    """What an `email-otp` code is for (`sign-in`, `email-verification`, `forget-password`); `token` is the code."""
    details: tuple[tuple[str, str | None], ...] = ()
    """More facts a development or test sender records beside the others (an invitation's `invitationId`,
    `organizationId`, `role`, `inviterEmail`)."""


class EmailSender(Protocol):
    """Delivers an `EmailMessage`. Raising means the message was not sent; `Mailer` logs it."""

    async def send(self, message: EmailMessage) -> None:
        """Deliver `message`, or raise."""
        ...
