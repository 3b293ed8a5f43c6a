"""Signing up, in (with the two-factor step and social providers) and out; email verification; password reset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from ..auth_calls import call_auth, redirect
from ..site import current_session, render, signed_in

router = APIRouter(include_in_schema=False)

VERIFIED = "/?notice=verified"
"""Where a followed verification link lands."""


@router.get("/sign-up")
async def sign_up_page(request: Request) -> Response:
    return render(request, "sign_up.html", session=await current_session(request))


@router.post("/sign-up")
async def sign_up(
    request: Request, name: Annotated[str, Form()], email: Annotated[str, Form()], password: Annotated[str, Form()]
) -> Response:
    body = {"name": name, "email": email, "password": password, "callbackURL": VERIFIED}
    answer = await call_auth(request, "POST", "/sign-up/email", body)
    if not answer.ok:
        return render(request, "sign_up.html", error=answer.error, form=body, status_code=answer.status)
    if answer.body.get("token") is None:  # email verification required: no session until the link is followed
        return render(request, "sign_up.html", answers=(answer,), check_email=email)
    return redirect("/?notice=signed-up", answer)


@router.get("/sign-in")
async def sign_in_page(request: Request, error: str | None = None) -> Response:
    # A social sign-in that failed comes back here (its errorCallbackURL) with `?error=<code>`.
    problem = f"Signing in with the provider failed ({error[:64]})." if error else None
    return render(request, "sign_in.html", session=await current_session(request), error=problem)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    remember: Annotated[bool, Form()] = False,
) -> Response:
    body = {"email": email, "password": password, "rememberMe": remember, "callbackURL": VERIFIED}
    answer = await call_auth(request, "POST", "/sign-in/email", body)
    if not answer.ok:
        form = {"email": email}
        return render(
            request, "sign_in.html", answers=(answer,), error=answer.error, form=form, status_code=answer.status
        )
    if answer.body.get("twoFactorRedirect"):  # the password was right; the signed two-factor cookie holds the step
        return redirect("/two-factor", answer)
    return redirect("/", answer)


@router.post("/sign-in/social")
async def sign_in_social(request: Request, provider: Annotated[str, Form()]) -> Response:
    body = {"provider": provider, "callbackURL": "/", "errorCallbackURL": "/sign-in"}
    answer = await call_auth(request, "POST", "/sign-in/social", body)
    if not answer.ok:
        return render(request, "sign_in.html", error=answer.error, status_code=answer.status)
    return redirect(answer.body["url"], answer)  # to the provider, with the OAuth state cookie set


@router.get("/two-factor")
async def two_factor_page(request: Request) -> Response:
    return render(request, "two_factor_step.html")


@router.post("/two-factor")
async def two_factor_step(
    request: Request,
    code: Annotated[str, Form()],
    kind: Annotated[str, Form()] = "totp",
    trust_device: Annotated[bool, Form()] = False,
) -> Response:
    if kind == "backup":
        answer = await call_auth(request, "POST", "/two-factor/verify-backup-code", {"code": code.strip()})
    else:
        body = {"code": code.strip(), "trustDevice": trust_device}
        answer = await call_auth(request, "POST", "/two-factor/verify-totp", body)
    if not answer.ok:
        return render(request, "two_factor_step.html", error=answer.error, status_code=answer.status)
    return redirect("/", answer)


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    answer = await call_auth(request, "POST", "/sign-out")
    if not answer.ok:  # e.g. 403 for a form posted from another site
        return render(request, "home.html", error=answer.error, status_code=answer.status)
    return redirect("/?notice=signed-out", answer)


@router.post("/verify-email/send")
async def send_verification(request: Request) -> Response:
    session = await current_session(request)
    found = signed_in(session)
    if found is None:
        return redirect("/sign-in", session)
    body = {"email": found["user"]["email"], "callbackURL": VERIFIED}
    answer = await call_auth(request, "POST", "/send-verification-email", body)
    if not answer.ok:
        return render(request, "home.html", session=session, error=answer.error, status_code=answer.status)
    return redirect("/?notice=verification-sent", session, answer)


@router.get("/forgot-password")
async def forgot_password_page(request: Request) -> Response:
    return render(request, "forgot_password.html")


@router.post("/forgot-password")
async def forgot_password(request: Request, email: Annotated[str, Form()]) -> Response:
    # The mailed link goes to the auth route, which checks the token and sends the browser on to /reset-password.
    answer = await call_auth(
        request, "POST", "/request-password-reset", {"email": email, "redirectTo": "/reset-password"}
    )
    if not answer.ok:
        return render(request, "forgot_password.html", error=answer.error, status_code=answer.status)
    return redirect("/sign-in?notice=reset-sent", answer)


@router.get("/reset-password")
async def reset_password_page(request: Request, token: str | None = None, error: str | None = None) -> Response:
    problem = "This link is invalid or has expired: ask for a new one." if error or not token else None
    return render(request, "reset_password.html", token=token, error=problem)


@router.post("/reset-password")
async def reset_password(request: Request, token: Annotated[str, Form()], password: Annotated[str, Form()]) -> Response:
    answer = await call_auth(request, "POST", "/reset-password", {"token": token, "newPassword": password})
    if not answer.ok:
        return render(request, "reset_password.html", token=token, error=answer.error, status_code=answer.status)
    return redirect("/sign-in?notice=password-reset", answer)
