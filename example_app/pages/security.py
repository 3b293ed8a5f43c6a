"""The signed-in user's security pages: sessions (revoke one, or all others) and API keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from ..auth_calls import AuthAnswer, call_auth, redirect
from ..site import current_session, render, signed_in

router = APIRouter(include_in_schema=False)


async def sessions_page_for(request: Request, session: AuthAnswer, **context: Any) -> Response:
    if signed_in(session) is None:
        return redirect("/sign-in", session)
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
    return await sessions_page_for(request, await current_session(request))


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
    if signed_in(session) is None:
        return redirect("/sign-in", session)
    listed = await call_auth(request, "GET", "/api-key/list")
    keys = listed.body if listed.ok and isinstance(listed.body, list) else []
    if isinstance(listed.body, dict):  # newer shapes wrap the list
        keys = listed.body.get("apiKeys", [])
    return render(request, "api_keys.html", session=session, answers=(listed,), keys=keys, **context)


@router.get("/api-keys")
async def api_keys_page(request: Request) -> Response:
    return await api_keys_page_for(request, await current_session(request))


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
