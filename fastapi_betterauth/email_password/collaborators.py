"""What `EmailFlows` works with, in groups: the records it reads and changes, the password tools, the token
machinery, and mail delivery."""

from __future__ import annotations

from dataclasses import dataclass

from ..background import BackgroundTasks
from ..crypto.password_policy import PasswordPolicy
from ..crypto.passwords import PasswordHasher
from ..db.engine import Database
from ..hooks import HookRunner
from ..mail import Mailer, Templates
from ..sessions.service import SessionService
from ..users.service import UserService
from ..verification.email_tokens import EmailTokens
from ..verification.service import VerificationService


@dataclass(frozen=True, slots=True)
class FlowRecords:
    """What the flows read and change: the database, users and sessions, with the hooks around writes."""

    database: Database
    users: UserService
    sessions: SessionService
    hooks: HookRunner


@dataclass(frozen=True, slots=True)
class PasswordTools:
    """Hashing and verifying passwords, and the policy new ones must meet."""

    hasher: PasswordHasher
    policy: PasswordPolicy


@dataclass(frozen=True, slots=True)
class FlowTokens:
    """The emailed tokens: random single-use ones in the verification table (reset, deletion), and better-auth's
    signed email-verification JWTs, whose use is remembered."""

    verification: VerificationService
    email: EmailTokens


@dataclass(frozen=True, slots=True)
class MailDelivery:
    """How the flows' mail goes out: the mailer, the templates, and the background tasks that work after the
    answer."""

    mailer: Mailer
    templates: Templates
    background: BackgroundTasks
