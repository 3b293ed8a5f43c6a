"""The checks the resilience tests rely on, checked themselves (no processes needed)."""

from __future__ import annotations

import httpx2 as httpx
import pytest

from .browser import Call, assert_answered_or_unavailable, assert_not_a_sign_out, assert_unavailable


def call(status: int, body: object, *set_cookies: str, elapsed: float = 0.01, **headers: str) -> Call:
    made = Call("app", "GET", "/me", 0.0, elapsed, status, body, str(body))
    made.headers = httpx.Headers([*(("set-cookie", value) for value in set_cookies), *headers.items()])
    return made


UNAVAILABLE = {"code": "SERVICE_UNAVAILABLE", "message": "The database is unavailable."}


@pytest.mark.parametrize(
    "header",
    [
        "better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
        "better-auth.session_token=abc.def; Max-Age=0; Path=/",
        "__Secure-better-auth.session_token=; Max-Age=0; Path=/; Secure",
        "better-auth.session_data=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
        "better-auth.session_data.0=; Path=/",
    ],
)
def test_a_cleared_session_cookie_is_a_sign_out(header: str) -> None:
    with pytest.raises(AssertionError, match="cleared the session cookie"):
        assert_not_a_sign_out(call(503, UNAVAILABLE, header, **{"retry-after": "1"}))


def test_setting_cookies_or_clearing_others_is_not_a_sign_out() -> None:
    assert_not_a_sign_out(call(200, {}, "better-auth.session_token=abc.def; Max-Age=604800; Path=/"))
    assert_not_a_sign_out(call(200, {}, "other=; Max-Age=0; Path=/"))


def test_the_outage_answer() -> None:
    assert_unavailable(call(503, UNAVAILABLE, **{"retry-after": "1"}))
    for wrong in (
        call(500, {"code": "INTERNAL_SERVER_ERROR", "message": "x"}),
        call(503, UNAVAILABLE),  # no Retry-After
        call(503, {"code": "SERVICE_UNAVAILABLE"}, **{"retry-after": "1"}),
        call(503, {"detail": "x"}, **{"retry-after": "1"}),
        call(503, UNAVAILABLE, elapsed=10.0, **{"retry-after": "1"}),  # the default statement timeout: a hang
        call(200, None),
    ):
        with pytest.raises(AssertionError):
            assert_unavailable(wrong)


def test_during_an_outage_null_and_401_are_sign_outs() -> None:
    assert_answered_or_unavailable(call(200, {"id": "u1", "email": "a@example.com"}), "u1")
    assert_answered_or_unavailable(call(503, UNAVAILABLE, **{"retry-after": "1"}), "u1")
    for wrong in (call(200, None), call(401, {"code": "UNAUTHORIZED", "message": "Unauthorized"}), call(500, {})):
        with pytest.raises(AssertionError):
            assert_answered_or_unavailable(wrong, "u1")
