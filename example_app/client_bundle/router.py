"""Serves the bundle at `/static/better-auth-client.js` (register this router before any `/static` mount)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse, Response

from .build import bundle_file

router = APIRouter(include_in_schema=False)


@router.get("/static/better-auth-client.js")
def better_auth_client() -> Response:
    path = bundle_file()
    if not path.is_file():
        return JSONResponse(
            {
                "code": "CLIENT_BUNDLE_NOT_BUILT",
                "message": "better-auth's JS client is not built: run `python -m example_app.client_bundle` "
                "(needs Node.js and npm)",
            },
            status_code=404,
        )
    return FileResponse(path, media_type="text/javascript")
