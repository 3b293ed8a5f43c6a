"""The password policy (P1, P3, P4, P5): code-point lengths, the optional blocklist of common passwords
and context-specific words (NFKC and case folded), and the user's own check (a breached-password service), which
fails open. Unit tests of `PasswordPolicy`, then the same rules through `POST /sign-up/email`."""

from __future__ import annotations

import logging
import unicodedata
from importlib import resources

import httpx2 as httpx
import pytest
from sqlmodel import select

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.crypto.password_policy import PasswordContext, PasswordPolicy
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import Account, User
from fastapi_betterauth.errors import AuthError
from fastapi_betterauth.settings import EmailAndPasswordSettings

from ..conftest import PASSWORD, AuthFactory, ConfiguredClientFactory, sign_up

ANN = PasswordContext(email="ann.smith@example.com", name="Ann Smith")
BLOCKING = EmailAndPasswordSettings(block_common_passwords=True)
TOO_COMMON = {"code": "PASSWORD_TOO_COMMON", "message": "Password is too common"}


def fullwidth(text: str) -> str:
    """ASCII letters and digits as their full-width forms (U+FF01...), which NFKC maps back to ASCII."""
    return "".join(chr(ord(char) + 0xFEE0) if char.isalnum() else char for char in text)


async def refusal(policy: PasswordPolicy, password: str, context: PasswordContext = ANN) -> AuthError | None:
    try:
        await policy.check(password, context)
    except AuthError as exc:
        return exc
    return None


async def code_of(policy: PasswordPolicy, password: str, context: PasswordContext = ANN) -> str | None:
    error = await refusal(policy, password, context)
    return error.code if error else None


async def users_and_accounts(database: Database) -> tuple[list[User], list[Account]]:
    async with database.session() as db:
        return list((await db.exec(select(User))).all()), list((await db.exec(select(Account))).all())


# --- Length (P1) ---


async def test_p1_length_counts_code_points() -> None:
    """P1: with the NIST minimum of 15, fifteen emoji (60 UTF-8 bytes) pass and fourteen are too short."""
    policy = PasswordPolicy(EmailAndPasswordSettings(min_password_length=15, block_common_passwords=True))

    assert await code_of(policy, "😀" * 15) is None
    assert await code_of(policy, "😀" * 14) == "PASSWORD_TOO_SHORT"
    assert await code_of(policy, "é" * 15) is None


async def test_p1_length_is_checked_before_the_list() -> None:
    policy = PasswordPolicy(EmailAndPasswordSettings(max_password_length=20, block_common_passwords=True))

    assert await code_of(policy, "123456") == "PASSWORD_TOO_SHORT"
    assert await code_of(policy, "password" + "1" * 13) == "PASSWORD_TOO_LONG"
    assert await code_of(policy, "tangerine violin sea") is None


# --- The shipped list (P4) ---


def test_p4_the_shipped_list_has_thousands_of_folded_entries() -> None:
    """P4 asks for at least the top 3000; the file ships inside the package, one lower-case entry per line."""
    text = resources.files("fastapi_betterauth.crypto").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    lines = text.splitlines()

    assert len(lines) >= 3000
    assert len(set(lines)) == len(lines)
    assert all(line and line == line.strip() for line in lines)
    assert all(unicodedata.normalize("NFKC", line.casefold()) == line for line in lines)
    assert sum(len(line) >= 8 for line in lines) >= 1000
    famous = {"123456", "password", "qwerty", "111111", "iloveyou", "dragon", "monkey", "letmein", "football"}
    assert famous <= set(lines)
    assert {"password1", "password123", "welcome1", "p@ssw0rd", "1qaz2wsx", "qwertyuiop"} <= set(lines)


async def test_p4_the_list_is_off_by_default() -> None:
    policy = PasswordPolicy(EmailAndPasswordSettings())

    for password in ("password1234", "qwertyuiop", "annsmith2024!"):
        assert await code_of(policy, password) is None


@pytest.mark.parametrize(
    "password",
    [
        "password1234567",  # P4's own example: a listed password with digits after it
        "password",
        "PASSWORD",
        "PassWord123",
        "qwertyuiop",
        "iloveyou",
        "1qaz2wsx3edc",
        "123456789012345",
        "11111111",
        "P@ssw0rd",
        "p@ssw0rd2024!",
        "!!Dragon2024!!",
        "Football12",
        "welcome1",
        "Summer2024!",
        "I Love You",  # spaces are ignored
        "correct horse battery staple",  # the famous one is famous
        fullwidth("password123"),  # NFKC: full-width forms are the ASCII letters
        fullwidth("QWERTY") + "123",
        fullwidth("LETMEIN") + "!",
    ],
)
async def test_p4_listed_passwords_are_refused_in_any_case_and_width(password: str) -> None:
    error = await refusal(PasswordPolicy(BLOCKING), password, PasswordContext())

    assert error is not None
    assert (error.status_code, error.code, error.message) == (400, "PASSWORD_TOO_COMMON", "Password is too common")


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        "tangerine violin ocean",
        "my password is long enough",  # a listed word inside a passphrase is not a listed password
        "d1r2a3g4o5n6",  # digits between the letters are not decoration
        "Pässwörter sind lang",
        "😀" * 8,
        "8264917305184",
    ],
)
async def test_p4_other_passwords_pass_with_no_composition_rules(password: str) -> None:
    """P3/P4: all lower case, no digits, no symbols, emoji only, digits only: none of that is refused by itself."""
    assert await code_of(PasswordPolicy(BLOCKING), password, PasswordContext()) is None


# --- Context-specific words (P4) ---


@pytest.mark.parametrize(
    "password",
    [
        "annsmith2024!",  # the local part, decorated
        "Ann.Smith",
        "ann-smith-1990",
        "ANNSMITH",
        fullwidth("annsmith") + "99",
        "2024!ann",  # equals the 3-letter part `ann` once digits and symbols are removed
        "a.n.n.8641.9753",
        "smithfamily1990",  # contains `smith` (at least 4 letters)
        "i am smith, really",
        "the-annsmith-account",
    ],
)
async def test_p4_the_email_local_part_and_name_are_refused(password: str) -> None:
    assert await code_of(PasswordPolicy(BLOCKING), password, ANN) == "PASSWORD_TOO_COMMON"
    assert await code_of(PasswordPolicy(BLOCKING), password, PasswordContext()) is None  # not for the list


@pytest.mark.parametrize(
    "password",
    [
        "annals of history",  # `ann` is shorter than 4 letters: only refused whole
        "banner planner 2024",
        "anne-marie-1990",  # letters `annemarie`: not `ann`, and `ann` is not looked for inside
    ],
)
async def test_p4_short_context_words_are_only_refused_whole(password: str) -> None:
    assert await code_of(PasswordPolicy(BLOCKING), password, ANN) is None


async def test_p4_the_app_name_is_a_context_word() -> None:
    policy = PasswordPolicy(BLOCKING, app_name="Acme Portal")
    nobody = PasswordContext()

    assert await code_of(policy, "acmeportal!!2024", nobody) == "PASSWORD_TOO_COMMON"
    assert await code_of(policy, "my-acme-login-2024", nobody) == "PASSWORD_TOO_COMMON"
    assert await code_of(policy, "Portal to the stars", nobody) == "PASSWORD_TOO_COMMON"
    assert await code_of(policy, "a lantern at the port", nobody) is None


async def test_p4_context_words_come_only_from_the_context_given() -> None:
    """Without a context (or with another user's), the same passwords pass; the email's domain is no context word."""
    policy = PasswordPolicy(BLOCKING)
    bob = PasswordContext(email="bob@example.com", name="Bob")

    assert await code_of(policy, "annsmith2024!", PasswordContext()) is None
    assert await code_of(policy, "annsmith2024!", bob) is None
    assert await code_of(policy, "example of a passphrase", ANN) is None


async def test_p4_context_words_are_nfkc_and_case_folded() -> None:
    context = PasswordContext(email=fullwidth("ZEBULON") + "@example.com", name="Strauß")
    policy = PasswordPolicy(BLOCKING)

    assert await code_of(policy, "zebulon-1999-!!", context) == "PASSWORD_TOO_COMMON"
    assert await code_of(policy, "STRAUSS forever", context) == "PASSWORD_TOO_COMMON"  # ß folds to ss
    assert await code_of(policy, "zebulon-1999-!!", PasswordContext()) is None
    assert await code_of(policy, "STRAUSS forever", PasswordContext()) is None


# --- The user's own check (P5) ---


async def test_p5_the_extra_checks_reason_is_the_message() -> None:
    seen: list[tuple[str, PasswordContext]] = []

    async def breached(password: str, context: PasswordContext) -> str | None:
        seen.append((password, context))
        return "This password appeared in 3 data breaches" if password == "Tr0ub4dor&3-horse" else None

    policy = PasswordPolicy(EmailAndPasswordSettings(), breached)
    error = await refusal(policy, "Tr0ub4dor&3-horse")

    assert error is not None
    assert (error.status_code, error.code) == (400, "PASSWORD_REFUSED")
    assert error.message == "This password appeared in 3 data breaches"
    assert await refusal(policy, PASSWORD) is None
    assert seen == [("Tr0ub4dor&3-horse", ANN), (PASSWORD, ANN)]


async def test_p5_an_empty_reason_refuses_with_the_default_message() -> None:
    async def refuse(password: str, context: PasswordContext) -> str | None:
        return ""

    error = await refusal(PasswordPolicy(EmailAndPasswordSettings(), refuse), PASSWORD)

    assert error is not None
    assert (error.code, error.message) == ("PASSWORD_REFUSED", "Password refused")


async def test_p5_the_extra_check_runs_only_after_the_other_rules_pass() -> None:
    """A password the length rule or the list refuses is never sent to the (possibly remote) check."""
    calls: list[str] = []

    async def check(password: str, context: PasswordContext) -> str | None:
        calls.append(password)
        return None

    policy = PasswordPolicy(BLOCKING, check)

    assert await code_of(policy, "short") == "PASSWORD_TOO_SHORT"
    assert await code_of(policy, "password1234567") == "PASSWORD_TOO_COMMON"
    assert await code_of(policy, PASSWORD) is None
    assert calls == [PASSWORD]


async def test_p5_a_failing_check_fails_open_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """The documented choice: a breached-password service that is down must not stop sign-ups. The password is
    accepted and a warning (without the password) is logged."""

    async def unreachable(password: str, context: PasswordContext) -> str | None:
        raise httpx.ConnectTimeout("timed out")

    with caplog.at_level(logging.WARNING, logger="fastapi_betterauth"):
        assert await refusal(PasswordPolicy(EmailAndPasswordSettings(), unreachable), PASSWORD) is None

    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "fail open" in warnings[0].getMessage()
    assert warnings[0].exc_info is not None
    assert isinstance(warnings[0].exc_info[1], httpx.ConnectTimeout)
    assert PASSWORD not in caplog.text


async def test_p5_an_auth_error_from_the_check_is_its_answer() -> None:
    async def strict(password: str, context: PasswordContext) -> str | None:
        raise AuthError("PWNED", 422, message="Pick another password")

    error = await refusal(PasswordPolicy(EmailAndPasswordSettings(), strict), PASSWORD)

    assert error is not None
    assert (error.status_code, error.code, error.message) == (422, "PWNED", "Pick another password")


# --- Through sign-up ---


async def test_p4_sign_up_refuses_a_common_password_and_creates_nothing(
    make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    client = await make_configured_client(email_and_password={"block_common_passwords": True})

    for password in ("password1234567", fullwidth("password1234"), "Qwertyuiop!!"):
        response = await sign_up(client, password=password)
        assert response.status_code == 400, response.text
        assert response.json() == TOO_COMMON
    assert await users_and_accounts(database) == ([], [])
    assert "set-cookie" not in response.headers


async def test_p4_sign_up_refuses_the_email_local_part_and_the_name(
    make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    client = await make_configured_client(email_and_password={"block_common_passwords": True})

    by_email = await sign_up(client, email="Ann.Smith@Example.com", password="annsmith2024!")
    by_name = await sign_up(client, email="ann.smith@example.com", password="Ann!1234567890", name="Ann")
    by_app_name = await sign_up(client, email="ann.smith@example.com", password="i love betterauth!")

    assert [r.status_code for r in (by_email, by_name, by_app_name)] == [400, 400, 400]
    assert [r.json() for r in (by_email, by_name, by_app_name)] == [TOO_COMMON] * 3
    assert await users_and_accounts(database) == ([], [])

    accepted = await sign_up(client, email="ann.smith@example.com")
    assert accepted.status_code == 200, accepted.text


async def test_p4_sign_up_accepts_common_passwords_by_default(client: httpx.AsyncClient) -> None:
    response = await sign_up(client, password="password1234")

    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == "ann@example.com"


async def test_p5_sign_up_answers_the_checks_reason(
    make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    seen: list[PasswordContext] = []

    async def breached(password: str, context: PasswordContext) -> str | None:
        seen.append(context)
        return "This password has appeared in a data breach" if password.startswith("leaked") else None

    client = await make_configured_client(password_check=breached)

    refused = await sign_up(client, email="Ann@Example.com", password="leaked but long")

    assert refused.status_code == 400
    assert refused.json() == {"code": "PASSWORD_REFUSED", "message": "This password has appeared in a data breach"}
    assert await users_and_accounts(database) == ([], [])
    assert seen == [PasswordContext(email="ann@example.com", name="Ann")]
    assert (await sign_up(client)).status_code == 200


async def test_p5_sign_up_fails_open_when_the_check_fails(
    make_configured_client: ConfiguredClientFactory, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async def down(password: str, context: PasswordContext) -> str | None:
        raise httpx.ConnectError("breach service unreachable")

    client = await make_configured_client(password_check=down)
    with caplog.at_level(logging.WARNING, logger="fastapi_betterauth"):
        response = await sign_up(client)

    assert response.status_code == 200, response.text
    users, accounts = await users_and_accounts(database)
    assert [user.email for user in users] == ["ann@example.com"]
    assert len(accounts) == 1
    assert "fail open" in caplog.text
    assert PASSWORD not in caplog.text


def test_better_auth_exposes_its_policy(make_auth: AuthFactory) -> None:
    async def check(password: str, context: PasswordContext) -> str | None:
        return None

    auth: BetterAuth = make_auth(password_check=check, email={"app_name": "Acme"})

    assert isinstance(auth.password_policy, PasswordPolicy)
    assert auth.password_policy.extra_check is check
    assert auth.password_policy.app_name == "Acme"
    assert auth.email_password.policy is auth.password_policy
