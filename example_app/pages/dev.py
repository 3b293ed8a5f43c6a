"""Development only: the emails the app has sent (verification and reset links, codes), newest first."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from ..site import current_session, render, site_of

router = APIRouter(include_in_schema=False)


@router.get("/dev/outbox")
async def outbox_page(request: Request) -> Response:
    site = site_of(request)
    if not site.development or site.outbox is None:
        raise HTTPException(404)  # the page does not exist outside development
    return render(request, "outbox.html", session=await current_session(request), emails=site.outbox.messages())
