"""How the site's pages talk to the auth API: each form handler replays the browser's request on the auth routes,
in process, and hands the answer's cookies back to the browser.

Going through the routes rather than `auth.api.*` keeps every check the library makes on a browser's request: the
origin check (the browser's `Origin` header is forwarded, so a cross-site form post is refused exactly as a
cross-site `fetch` would be), rate limits by client address, the session cookie's signature and refresh, and the
cookies it sets (session, two-factor challenge, OAuth state).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

# What the auth routes read from a browser's request. Everything else (the form's own body and content type) is the
# site's business and is not forwarded.
FORWARDED_HEADERS = (
    "cookie",
    "origin",
    "referer",
    "user-agent",
    "accept-language",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-real-ip",
)


@dataclass
class AuthAnswer:
    """One auth route's answer: status, JSON body and the `Set-Cookie` headers to pass on to the browser."""

    status: int
    body: Any
    cookies: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def error(self) -> str:
        """The `{code, message}` error's message, for showing on the page."""
        if isinstance(self.body, dict):
            return str(self.body.get("message") or self.body.get("code") or "Something went wrong")
        return f"Something went wrong ({self.status})"

    @property
    def code(self) -> str | None:
        return self.body.get("code") if isinstance(self.body, dict) else None


async def call_auth(request: Request, method: str, path: str, json: dict[str, Any] | None = None) -> AuthAnswer:
    """`method path` (under the auth base path) as the browser of `request` would send it, with `json` as body."""
    auth = request.app.state.site.auth
    headers = {name: value for name in FORWARDED_HEADERS if (value := request.headers.get(name)) is not None}
    client = (request.client.host, request.client.port) if request.client else ("127.0.0.1", 0)
    transport = httpx.ASGITransport(app=request.app, client=client)
    async with httpx.AsyncClient(transport=transport, base_url=str(request.base_url).rstrip("/")) as http:
        response = await http.request(method, auth.settings.base_path + path, json=json, headers=headers)
    try:
        body = response.json()
    except ValueError:
        body = None
    return AuthAnswer(response.status_code, body, response.headers.get_list("set-cookie"))


def pass_cookies(response: Response, *answers: AuthAnswer) -> Response:
    """Add the cookies the auth routes set to the site's `response`."""
    for answer in answers:
        for cookie in answer.cookies:
            response.headers.append("set-cookie", cookie)
    return response


def redirect(url: str, *answers: AuthAnswer) -> Response:
    """A 303 (the browser follows with GET) to `url`, carrying the cookies of `answers`."""
    return pass_cookies(RedirectResponse(url, status_code=303), *answers)
