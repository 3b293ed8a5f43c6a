"""The signed-in user's security pages: sessions (revoke one, or all others), API keys, two-factor setup."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from ..auth_calls import AuthAnswer, call_auth, redirect
from ..site import current_session, render, signed_in

router = APIRouter(include_in_schema=False)


async def sessions_page_for(request: Request, session: AuthAnswer, **context: Any) -> Response:
    listed = await call_auth(request, "GET", "/list-sessions")
    current = signed_in(session)
    current_token = current["session"]["token"] if current else None
    rows = listed.body if listed.ok and isinstance(listed.body, list) else []
    rows.sort(key=lambda row: row.get("createdAt", ""), reverse=True)
    return render(
        request, "sessions.html", session=session, answers=(listed,), rows=rows, current_token=current_token, **context
    )


@router.get("/sessions")
async def sessions_page(request: Request) -> Response:
    session = await current_session(request)
    if signed_in(session) is None:
        return redirect("/sign-in", session)
    return await sessions_page_for(request, session)


@router.post("/sessions/revoke")
async def revoke_session(request: Request, token: Annotated[str, Form()]) -> Response:
    answer = await call_auth(request, "POST", "/revoke-session", {"token": token})
    if not answer.ok:
        session = await current_session(request)
        return await sessions_page_for(request, session, error=answer.error, status_code=answer.status)
    return redirect("/sessions?notice=session-revoked", answer)


@router.post("/sessions/revoke-others")
async def revoke_other_sessions(request: Request) -> Response:
    answer = await call_auth(request, "POST", "/revoke-other-sessions")
    if not answer.ok:
        return redirect("/sign-in", answer)
    return redirect("/sessions?notice=sessions-revoked", answer)


# --- API keys (with the api-key plugin) -------------------------------------------------------------------------


async def api_keys_page_for(request: Request, session: AuthAnswer, **context: Any) -> Response:
    listed = await call_auth(request, "GET", "/api-key/list")
    keys = listed.body if listed.ok and isinstance(listed.body, list) else []
    if isinstance(listed.body, dict):  # newer shapes wrap the list
        keys = listed.body.get("apiKeys", [])
    return render(request, "api_keys.html", session=session, answers=(listed,), keys=keys, **context)


@router.get("/api-keys")
async def api_keys_page(request: Request) -> Response:
    session = await current_session(request)
    if signed_in(session) is None:
        return redirect("/sign-in", session)
    return await api_keys_page_for(request, session)


@router.post("/api-keys")
async def create_api_key(request: Request, name: Annotated[str, Form()]) -> Response:
    answer = await call_auth(request, "POST", "/api-key/create", {"name": name})
    session = await current_session(request)
    if not answer.ok:
        return await api_keys_page_for(request, session, error=answer.error, status_code=answer.status)
    # The key itself is shown once, on this answer; only its start is kept.
    return await api_keys_page_for(request, session, created=answer.body)


@router.post("/api-keys/delete")
async def delete_api_key(request: Request, key_id: Annotated[str, Form()]) -> Response:
    answer = await call_auth(request, "POST", "/api-key/delete", {"keyId": key_id})
    if not answer.ok:
        session = await current_session(request)
        return await api_keys_page_for(request, session, error=answer.error, status_code=answer.status)
    return redirect("/api-keys?notice=key-deleted", answer)


# --- Two-factor authentication (with the two-factor plugin) -----------------------------------------------------


def qr_svg(uri: str) -> str | None:
    """The `otpauth://` URI as an inline SVG QR code for an authenticator app (None without `segno`)."""
    try:
        import segno
    except ImportError:
        return None
    svg: str = segno.make(uri, error="m").svg_inline(scale=4, border=2)
    return svg


@router.get("/two-factor/setup")
async def two_factor_setup_page(request: Request) -> Response:
    session = await current_session(request)
    if signed_in(session) is None:
        return redirect("/sign-in", session)
    return render(request, "two_factor_setup.html", session=session)


@router.post("/two-factor/enable")
async def enable_two_factor(request: Request, password: Annotated[str, Form()]) -> Response:
    answer = await call_auth(request, "POST", "/two-factor/enable", {"password": password})
    session = await current_session(request)
    if not answer.ok:
        return render(request, "two_factor_setup.html", session=session, error=answer.error, status_code=answer.status)
    uri = answer.body["totpURI"]
    secret = uri.split("secret=", 1)[1].split("&", 1)[0] if "secret=" in uri else ""
    return render(
        request,
        "two_factor_setup.html",
        session=session,
        answers=(answer,),
        enabling={"uri": uri, "secret": secret, "qr": qr_svg(uri), "backup_codes": answer.body.get("backupCodes", [])},
    )


@router.post("/two-factor/confirm")
async def confirm_two_factor(request: Request, code: Annotated[str, Form()]) -> Response:
    answer = await call_auth(request, "POST", "/two-factor/verify-totp", {"code": code.strip()})
    if not answer.ok:
        session = await current_session(request)
        return render(request, "two_factor_setup.html", session=session, error=answer.error, status_code=answer.status)
    return redirect("/two-factor/setup?notice=two-factor-on", answer)


@router.post("/two-factor/backup-codes")
async def new_backup_codes(request: Request, password: Annotated[str, Form()]) -> Response:
    answer = await call_auth(request, "POST", "/two-factor/generate-backup-codes", {"password": password})
    session = await current_session(request)
    if not answer.ok:
        return render(request, "two_factor_setup.html", session=session, error=answer.error, status_code=answer.status)
    return render(
        request, "two_factor_setup.html", session=session, answers=(answer,), backup_codes=answer.body["backupCodes"]
    )


@router.post("/two-factor/disable")
async def disable_two_factor(request: Request, password: Annotated[str, Form()]) -> Response:
    answer = await call_auth(request, "POST", "/two-factor/disable", {"password": password})
    if not answer.ok:
        session = await current_session(request)
        return render(request, "two_factor_setup.html", session=session, error=answer.error, status_code=answer.status)
    return redirect("/two-factor/setup?notice=two-factor-off", answer)
