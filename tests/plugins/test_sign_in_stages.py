"""Sign-in stages: a plugin joins every sign-in path through `SessionIssuer` (docs/plugins/writing-a-plugin.md). A stage
lets an attempt through, changes its session, refuses it, or answers instead (two-factor's `twoFactorRedirect`);
a refused or halted sign-in leaves no session, and a refused sign-up no user."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from starlette.responses import Response

from fastapi_betterauth import ApiKeyOptions, ApiKeys, AuthError, ManualClock, Plugin, PluginOptions, Session, User
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.sessions.issuer import SignInAttempt, SignInHalted, SignInStage

from ..conftest import AuthFactory, ConfiguredClientFactory, sign_in, sign_up
from ..email_password.test_email_flows import Outbox


class Gatekeeper(Plugin[PluginOptions]):
    """Refuses Mallory, sends Tess to a second factor, and gives email sign-ins one hour."""

    id = "gatekeeper"
    options_model = PluginOptions
    error_codes = {"BANNED_USER": "You have been banned from this application."}

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def sign_in_stages(self) -> Sequence[SignInStage]:
        return (self._record, self._ban, self._second_factor, self._short_email_sessions)

    async def _record(self, attempt: SignInAttempt) -> None:
        self.seen.append(attempt.method)

    async def _ban(self, attempt: SignInAttempt) -> None:
        if attempt.user.name == "Mallory":
            raise AuthError("BANNED_USER", 403, self.error_codes["BANNED_USER"])

    async def _second_factor(self, attempt: SignInAttempt) -> None:
        if attempt.user.name == "Tess" and attempt.method == "email":

            def set_cookie(response: Response) -> None:
                response.set_cookie("test.two_factor", attempt.user.id, httponly=True)

            raise SignInHalted({"twoFactorRedirect": True}, write_cookies=set_cookie)

    async def _short_email_sessions(self, attempt: SignInAttempt) -> SignInAttempt | None:
        if attempt.method != "email":
            return None
        return attempt.with_session_values(expires_at=self.context.clock.now() + timedelta(hours=1))


async def _count(database: Database, model: type[User] | type[Session]) -> int:
    async with database.session() as db:
        return int((await db.exec(select(func.count()).select_from(model))).one()[0])  # type: ignore[call-overload]


async def test_a_stage_refuses_a_sign_in_and_no_session_is_made(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    gatekeeper = Gatekeeper()
    auth = make_auth(plugins=[gatekeeper], email_and_password={"auto_sign_in": False})
    client = await make_configured_client(auth)
    assert (await sign_up(client, name="Mallory")).status_code == 200

    refused = await sign_in(client)

    assert (refused.status_code, refused.json()) == (
        403,
        {"code": "BANNED_USER", "message": "You have been banned from this application."},
    )
    assert "set-cookie" not in refused.headers
    assert await _count(database, Session) == 0
    assert gatekeeper.seen == ["email"]


async def test_a_stage_refusing_a_sign_up_leaves_no_user(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    gatekeeper = Gatekeeper()
    client = await make_configured_client(make_auth(plugins=[gatekeeper]))

    refused = await sign_up(client, name="Mallory")

    assert (refused.status_code, refused.json()["code"]) == (403, "BANNED_USER")
    assert await _count(database, User) == 0
    assert gatekeeper.seen == ["sign-up"]
    assert (await sign_up(client, email="ann@example.com")).status_code == 200


async def test_a_stage_answers_instead_of_signing_in(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    auth = make_auth(plugins=[Gatekeeper()], email_and_password={"auto_sign_in": False})
    client = await make_configured_client(auth)
    user_id = (await sign_up(client, name="Tess")).json()["user"]["id"]

    halted = await sign_in(client)

    assert (halted.status_code, halted.json()) == (200, {"twoFactorRedirect": True})
    cookies = halted.headers.get_list("set-cookie")
    assert [cookie.split("=", 1)[0] for cookie in cookies] == ["test.two_factor"]
    assert cookies[0].startswith(f"test.two_factor={user_id}")
    assert await _count(database, Session) == 0
    assert (await client.get("/api/auth/get-session")).json() is None


async def test_a_stage_changes_the_session(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock, database: Database
) -> None:
    client = await make_configured_client(make_auth(plugins=[Gatekeeper()]))
    signed_up = (await sign_up(client)).json()  # a sign-up keeps the configured lifetime

    signed_in = (await sign_in(client)).json()

    async with database.session() as db:
        rows = {row.token: row.expires_at for row in (await db.exec(select(Session))).scalars()}  # type: ignore[call-overload]
    assert rows[signed_in["token"]] == clock.now() + timedelta(hours=1)
    assert rows[signed_up["token"]] == clock.now() + timedelta(days=7)


async def test_the_sign_in_after_email_verification_goes_through_the_stages(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, tmp_path: Path
) -> None:
    gatekeeper = Gatekeeper()
    outbox_path = tmp_path / "outbox.jsonl"
    auth = make_auth(
        plugins=[gatekeeper],
        email={"outbox": str(outbox_path)},
        email_and_password={"require_email_verification": True},
        email_verification={"auto_sign_in_after_verification": True},
    )
    client = await make_configured_client(auth)
    await sign_up(client, name="Mallory")

    refused = await client.get(await Outbox(outbox_path, auth).last_link("verify-email"))

    assert gatekeeper.seen == ["email-verification"]
    assert (refused.status_code, refused.json()["code"]) == (403, "BANNED_USER")


async def test_a_session_made_from_an_api_key_goes_through_the_stages(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    gatekeeper = Gatekeeper()
    keys = ApiKeys(ApiKeyOptions(enabled=True, enable_session_for_api_keys=True))
    auth = make_auth(plugins=[keys, gatekeeper], email_and_password={"auto_sign_in": False})
    browser = await make_configured_client(auth)
    user_id = (await sign_up(browser, name="Mallory")).json()["user"]["id"]
    key = (await keys.create_api_key(user_id=user_id)).key
    machine = await make_configured_client(auth, headers={"x-api-key": key})

    refused = await machine.get("/me")

    assert gatekeeper.seen == ["api-key"]
    assert (refused.status_code, refused.json()["code"]) == (403, "BANNED_USER")
