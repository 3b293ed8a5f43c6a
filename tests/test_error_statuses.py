"""A service names only the error code; the status an answer gets is the code's, from one table (`errors.STATUS`),
unless a route passes better-auth's other status for that code. Server-side calls get the domain error itself."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from fastapi_betterauth import AuthError, BetterAuth, ErrorCode
from fastapi_betterauth.errors import STATUS


def test_a_code_brings_its_status_and_a_given_one_wins() -> None:
    assert AuthError(ErrorCode.INVALID_EMAIL_OR_PASSWORD).status_code == 401
    assert AuthError(ErrorCode.USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL).status_code == 422
    assert AuthError(ErrorCode.INVALID_EMAIL).status_code == 400  # not in the table: 400
    assert AuthError(ErrorCode.INVALID_TOKEN, 400).status_code == 400
    assert AuthError("A_PLUGINS_CODE").status_code == 400
    assert all(AuthError(code).status_code == status for code, status in STATUS.items())


async def test_server_side_calls_raise_the_domain_error(auth: BetterAuth) -> None:
    with pytest.raises(AuthError) as raised:
        await auth.api.sign_in_email(email="nobody@example.com", password="wrong password")

    assert not isinstance(raised.value, HTTPException)
    assert (raised.value.code, raised.value.status_code) == ("INVALID_EMAIL_OR_PASSWORD", 401)
