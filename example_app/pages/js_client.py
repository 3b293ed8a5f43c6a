"""A page driven by better-auth's own JS client (`createAuthClient` from the locally served bundle,
example_app/client_bundle/) against this same server: sign in, read the session, list sessions, sign out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from ..site import current_session, render

router = APIRouter(include_in_schema=False)


@router.get("/js-client")
async def js_client_page(request: Request) -> Response:
    return render(request, "js_client.html", session=await current_session(request))
