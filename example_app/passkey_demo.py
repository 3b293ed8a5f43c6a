"""`GET /passkey-demo`: a page where better-auth's own `passkeyClient` (from the bundled JS client) adds passkeys and
signs in with them against this server (docs/plugins/passkeys.md); the browser tests drive it."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

PAGE = Path(__file__).resolve().parent / "passkey_demo.html"

router = APIRouter(include_in_schema=False)


@router.get("/passkey-demo")
def passkey_demo() -> FileResponse:
    return FileResponse(PAGE, media_type="text/html")
