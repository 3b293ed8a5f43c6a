"""Issue 10, scale-out: two instances (separate processes, one database, one Redis, one secret) are one service.

A session made on one is valid on the other, and sign-out, revoke-other-sessions, a password change and deleting
the user on one take effect on the other at the very next request. Rate limits are shared. Each test runs on both
pairs: sessions in Redis (with a database copy) and sessions in the database.
"""

from __future__ import annotations

import httpx2 as httpx
import pytest

from .browser import PASSWORD, Browser, assert_signed_in, assert_signed_out, fresh_ip, new_email
from .servers import AppInstance

pytestmark = [pytest.mark.slow, pytest.mark.resilience]


async def test_a_session_made_on_one_instance_is_valid_on_the_other(
    pair: list[AppInstance], http: httpx.AsyncClient
) -> None:
    a, b = pair
    browser = Browser(http, name="laptop")
    email = new_email("scale")
    signed_up = await browser.sign_up(a, email)
    user_id = signed_up.body["user"]["id"]

    on_b = await browser.session(b)
    assert_signed_in(on_b, user_id)
    assert on_b.body["session"]["token"] == signed_up.body["token"]
    assert_signed_in(await browser.me(b), user_id)

    phone = Browser(http, name="phone")
    signed_in = await phone.sign_in(b, email)
    on_a = await phone.session(a)
    assert_signed_in(on_a, user_id)
    assert on_a.body["session"]["token"] == signed_in.body["token"]
    assert_signed_in(await phone.me(a), user_id)


async def test_sign_out_on_one_instance_ends_the_session_on_the_other(
    pair: list[AppInstance], http: httpx.AsyncClient
) -> None:
    a, b = pair
    browser = Browser(http, name="laptop")
    user_id = (await browser.sign_up(a, new_email("signout"))).body["user"]["id"]
    assert_signed_in(await browser.me(b), user_id)
    copied = browser.copy("copied cookie")  # the same cookie, still held elsewhere after the sign-out

    signed_out = await browser.post(a, "/api/auth/sign-out")
    assert signed_out.status == 200, str(signed_out)

    assert_signed_out(await copied.session(b))
    assert_signed_out(await copied.me(b))
    assert_signed_out(await copied.me(a))


async def test_revoking_other_sessions_on_one_instance_ends_them_on_the_other(
    pair: list[AppInstance], http: httpx.AsyncClient
) -> None:
    a, b = pair
    email = new_email("revoke")
    laptop, phone, tablet = Browser(http, name="laptop"), Browser(http, name="phone"), Browser(http, name="tablet")
    user_id = (await laptop.sign_up(a, email)).body["user"]["id"]
    await phone.sign_in(b, email)
    await tablet.sign_in(a, email)
    assert_signed_in(await phone.me(b), user_id)
    assert_signed_in(await tablet.me(b), user_id)

    revoked = await laptop.post(a, "/api/auth/revoke-other-sessions")
    assert revoked.status == 200, str(revoked)

    assert_signed_out(await phone.me(b))
    assert_signed_out(await tablet.session(b))
    assert_signed_out(await phone.session(a))
    assert_signed_in(await laptop.me(b), user_id)
    assert_signed_in(await laptop.session(b), user_id)


async def test_a_password_change_on_one_instance_signs_out_the_other_devices_everywhere(
    pair: list[AppInstance], http: httpx.AsyncClient
) -> None:
    a, b = pair
    email = new_email("password")
    laptop, phone = Browser(http, name="laptop"), Browser(http, name="phone")
    user_id = (await laptop.sign_up(a, email)).body["user"]["id"]
    await phone.sign_in(b, email)
    assert_signed_in(await phone.me(b), user_id)

    new_password = "a new correct horse battery"
    changed = await laptop.post(
        a,
        "/api/auth/change-password",
        {"currentPassword": PASSWORD, "newPassword": new_password, "revokeOtherSessions": True},
    )
    assert changed.status == 200, str(changed)

    assert_signed_out(await phone.me(b))
    assert_signed_out(await phone.session(a))
    assert_signed_in(await laptop.me(b), user_id)  # the new session of the changing browser

    old = await Browser(http).post(b, "/api/auth/sign-in/email", {"email": email, "password": PASSWORD})
    assert old.status == 401, f"the old password still signs in on the other instance: {old}"
    await Browser(http).sign_in(b, email, new_password)


async def test_deleting_the_user_on_one_instance_ends_its_sessions_on_the_other(
    pair: list[AppInstance], http: httpx.AsyncClient
) -> None:
    a, b = pair
    email = new_email("delete")
    laptop, phone = Browser(http, name="laptop"), Browser(http, name="phone")
    user_id = (await laptop.sign_up(a, email)).body["user"]["id"]
    await phone.sign_in(b, email)
    assert_signed_in(await phone.me(b), user_id)

    deleted = await laptop.post(a, "/api/auth/delete-user", {"password": PASSWORD})
    assert deleted.status == 200, str(deleted)
    assert deleted.body == {"success": True, "message": "User deleted"}, str(deleted)

    assert_signed_out(await phone.me(b))
    assert_signed_out(await phone.session(b))
    assert_signed_out(await laptop.me(b))
    again = await Browser(http).post(b, "/api/auth/sign-in/email", {"email": email, "password": PASSWORD})
    assert again.status == 401, f"the deleted user still signs in on the other instance: {again}"


async def test_rate_limits_are_shared_between_instances(pair: list[AppInstance], http: httpx.AsyncClient) -> None:
    """better-auth's sign-in rule: 3 requests per 10 s per client. Spread over two instances they are still 3."""
    a, b = pair
    email = new_email("limit")
    await Browser(http).sign_up(a, email)
    client = Browser(http, ip=fresh_ip(), name="one client")
    credentials = {"email": email, "password": PASSWORD}
    for instance in (a, b, a):
        call = await client.post(instance, "/api/auth/sign-in/email", credentials, keep=False)
        assert call.status == 200, str(call)

    fourth = await client.post(b, "/api/auth/sign-in/email", credentials, keep=False)
    assert fourth.status == 429, f"the other instance did not count the first three: {fourth}"
    assert fourth.body["code"] == "RATE_LIMITED", str(fourth)
    assert int(fourth.headers["retry-after"]) >= 1, str(fourth)
    fifth = await client.post(a, "/api/auth/sign-in/email", credentials, keep=False)
    assert fifth.status == 429, str(fifth)
