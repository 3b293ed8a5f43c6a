"""Two-factor setup for the signed-in user (with the two-factor plugin): turn on with an authenticator app (QR code
and secret, then a first code), new backup codes, turn off. The sign-in step is in account.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from ..auth_calls import AuthAnswer, call_auth, redirect
from ..site import current_session, render, signed_in

router = APIRouter(include_in_schema=False)


def qr_svg(uri: str) -> str | None:
    """The `otpauth://` URI as an inline SVG QR code for an authenticator app (None without `segno`)."""
    try:
        import segno
    except ImportError:
        return None
    svg: str = segno.make(uri, error="m").svg_inline(scale=4, border=2)
    return svg


async def setup_page(request: Request, *answers: AuthAnswer, **context: Any) -> Response:
    """The setup page for the signed-in user (others are sent to sign in), with the cookies of `answers`."""
    session = await current_session(request)
    if signed_in(session) is None:
        return redirect("/sign-in", session, *answers)
    return render(request, "two_factor_setup.html", session=session, answers=answers, **context)


async def refused(request: Request, answer: AuthAnswer) -> Response:
    return await setup_page(request, answer, error=answer.error, status_code=answer.status)


@router.get("/two-factor/setup")
async def two_factor_setup_page(request: Request) -> Response:
    return await setup_page(request)


@router.post("/two-factor/enable")
async def enable_two_factor(request: Request, password: Annotated[str, Form()]) -> Response:
    answer = await call_auth(request, "POST", "/two-factor/enable", {"password": password})
    if not answer.ok:
        return await refused(request, answer)
    uri = answer.body["totpURI"]
    secret = uri.split("secret=", 1)[1].split("&", 1)[0] if "secret=" in uri else ""
    codes = answer.body.get("backupCodes", [])
    return await setup_page(request, answer, enabling={"secret": secret, "qr": qr_svg(uri), "backup_codes": codes})


@router.post("/two-factor/confirm")
async def confirm_two_factor(request: Request, code: Annotated[str, Form()]) -> Response:
    answer = await call_auth(request, "POST", "/two-factor/verify-totp", {"code": code.strip()})
    if not answer.ok:
        return await refused(request, answer)
    return redirect("/two-factor/setup?notice=two-factor-on", answer)


@router.post("/two-factor/backup-codes")
async def new_backup_codes(request: Request, password: Annotated[str, Form()]) -> Response:
    answer = await call_auth(request, "POST", "/two-factor/generate-backup-codes", {"password": password})
    if not answer.ok:
        return await refused(request, answer)
    return await setup_page(request, answer, backup_codes=answer.body["backupCodes"])


@router.post("/two-factor/disable")
async def disable_two_factor(request: Request, password: Annotated[str, Form()]) -> Response:
    answer = await call_auth(request, "POST", "/two-factor/disable", {"password": password})
    if not answer.ok:
        return await refused(request, answer)
    return redirect("/two-factor/setup?notice=two-factor-off", answer)
