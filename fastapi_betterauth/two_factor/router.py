"""The `/two-factor/*` routes, as better-auth's two-factor plugin answers them."""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from ..audit import audit
from ..cookies import request_cookies
from ..crypto.envelope import EnvelopeError
from ..crypto.tokens import generate_id, sha256_base64url
from ..db.models import User
from ..errors import AuthError, ErrorCode
from ..hooks import HookVetoError
from ..mail import build_message
from ..mail.templates import Templates
from ..routing import AuthRouter, answers, body_openapi, parse_body
from ..schemas import user_json
from ..sessions.deps import require_session
from ..sessions.issuer import SignInAttempt
from ..sessions.service import AuthSession
from .errors import TwoFactorErrorCode, two_factor_error
from .models import TwoFactor as TwoFactorRow
from .schemas import EnableBody, PasswordBody, SendOtpBody, VerifyBackupCodeBody, VerifyCodeBody
from .service import TWO_FACTOR_ENABLED, two_factor_enabled
from .stage import TRUST_DEVICE_COOKIE
from .verifying import Verifying, verifying

if TYPE_CHECKING:
    from .plugin import TwoFactor

_DIGITS = "0123456789"


def build_router(plugin: TwoFactor) -> APIRouter:
    router = AuthRouter(tags=["two-factor"])
    context = plugin.context
    service = plugin.service
    options = plugin.options
    max_bytes = context.settings.advanced.max_body_bytes
    flows = context.email_password.emails
    templates = flows.templates if flows is not None else Templates()  # the app's `email_templates` apply

    async def check_password(user: User, password: str) -> None:
        try:
            await context.email_password.verify_password(user, password)
        except AuthError as error:  # a user without a password gives no other answer than a wrong one
            if error.code == ErrorCode.CREDENTIAL_ACCOUNT_NOT_FOUND:
                raise AuthError(ErrorCode.INVALID_PASSWORD) from None
            raise

    async def set_enabled(request: Request, response: Response, found: AuthSession, enabled: bool) -> AuthSession:
        """Switch `twoFactorEnabled` and move the browser to a new session (the old one is deleted), as better-auth
        does after each change of the flag."""
        user = await context.users.update(found.user, {TWO_FACTOR_ENABLED: enabled})
        audit("two_factor.enabled" if enabled else "two_factor.disabled", user=user.id)
        remember_me = context.cookies.remember_me(request_cookies(request))
        attempt = SignInAttempt(user, "two-factor", remember_me, context.client_info(request))
        try:
            session = await context.issuer.create(attempt)
        except HookVetoError:
            raise AuthError(ErrorCode.FAILED_TO_CREATE_SESSION) from None
        await context.session_cookies.write(
            response, session, remember_me=remember_me, present=request_cookies(request)
        )
        await context.sessions.revoke(found.session.token)
        return session

    async def verification_row(check: Verifying, missing: TwoFactorErrorCode) -> TwoFactorRow:
        row = await service.find(check.user.id)
        if row is None:
            raise two_factor_error(missing, 400)
        if check.signing_in:
            await service.assert_not_locked(row)
        return row

    async def failed(check: Verifying, row: TwoFactorRow | None, code: TwoFactorErrorCode, factor: str) -> AuthError:
        ip = context.client_info(check.request).ip_address
        audit("two_factor.failed", user=check.user.id, factor=factor, ip=ip, signing_in=str(check.signing_in).lower())
        if check.signing_in and row is not None:
            await service.record_failure(row)
        return two_factor_error(code, 401)

    @router.post(
        "/two-factor/enable",
        response_model=None,
        responses=answers(None, {400: "`INVALID_PASSWORD`, `TOTP_ALREADY_ENABLED`, `OTP_NOT_CONFIGURED`"}),
        summary="Enable two-factor authentication",
        description="`method: totp` (default) answers the authenticator URI and backup codes; 2FA is on after the "
        "first `verify-totp`. `method: otp` switches it on at once, with codes sent by email.",
        openapi_extra=body_openapi(EnableBody),
    )
    async def enable(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, EnableBody, max_bytes=max_bytes)
        found = await require_session(request, response, sensitive=True)
        await check_password(found.user, body.password)
        if body.method == "otp":
            if not options.otp_enabled:
                raise two_factor_error(TwoFactorErrorCode.OTP_NOT_CONFIGURED, 400)
            await set_enabled(request, response, found, True)
            return {"method": "otp"}
        enabling = await service.start(found.user, body.issuer or plugin.issuer)
        if options.skip_verification_on_enable:
            await set_enabled(request, response, found, True)
        return {"method": "totp", "totpURI": enabling.totp_uri, "backupCodes": enabling.backup_codes}

    @router.post(
        "/two-factor/disable",
        response_model=None,
        responses=answers(None, {400: "`INVALID_PASSWORD`"}),
        summary="Disable two-factor authentication",
        openapi_extra=body_openapi(PasswordBody),
    )
    async def disable(request: Request, response: Response) -> dict[str, bool]:
        body = await parse_body(request, PasswordBody, max_bytes=max_bytes)
        found = await require_session(request, response, sensitive=True)
        await check_password(found.user, body.password)
        await service.remove(found.user.id)
        await set_enabled(request, response, found, False)
        cookies = context.cookies
        trusted = cookies.read_signed(request_cookies(request), cookies.name(TRUST_DEVICE_COOKIE))
        if trusted is not None:
            await plugin.challenges.forget(trusted)
            cookies.expire(response, cookies.name(TRUST_DEVICE_COOKIE))
        return {"status": True}

    @router.post(
        "/two-factor/get-totp-uri",
        response_model=None,
        responses=answers(None, {400: "`TOTP_NOT_ENABLED`, `INVALID_PASSWORD`"}),
        summary="The authenticator URI of the enabled secret",
        openapi_extra=body_openapi(PasswordBody),
    )
    async def get_totp_uri(request: Request, response: Response) -> dict[str, str]:
        body = await parse_body(request, PasswordBody, max_bytes=max_bytes)
        found = await require_session(request, response, sensitive=True)
        row = await service.find(found.user.id)
        if row is None:
            raise two_factor_error(TwoFactorErrorCode.TOTP_NOT_ENABLED, 400)
        await check_password(found.user, body.password)
        # As better-auth: the application's name, not the plugin's issuer (docs/plugins/two-factor.md).
        return {"totpURI": service.uri(service.secret_of(row), context.settings.email.app_name, found.user.email)}

    @router.post(
        "/two-factor/verify-totp",
        response_model=None,
        responses=answers(
            None,
            {
                400: "`TOTP_NOT_ENABLED`, `TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE`",
                401: "`INVALID_CODE`, `INVALID_TWO_FACTOR_COOKIE`",
                429: "`ACCOUNT_TEMPORARILY_LOCKED`",
            },
        ),
        summary="Verify an authenticator code",
        description="Signed in: finishes enabling. With the `two_factor` cookie: completes the sign-in.",
        openapi_extra=body_openapi(VerifyCodeBody),
    )
    async def verify_totp(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, VerifyCodeBody, max_bytes=max_bytes)
        check = await verifying(plugin, request, response)
        row = await verification_row(check, TwoFactorErrorCode.TOTP_NOT_ENABLED)
        if check.signing_in and row.verified is False:
            raise two_factor_error(TwoFactorErrorCode.TOTP_NOT_ENABLED, 400)
        attempt = await check.begin_attempt()
        try:
            step = service.totp_step(row, body.code)
        except EnvelopeError:
            if attempt is not None:
                await attempt.restore()
            raise
        # During a sign-in each code counts once (docs/plugins/two-factor.md): a replayed one is a wrong one.
        if step is not None and check.signing_in:
            step = step if await plugin.challenges.use_step(check.user.id, step, service.step_lifetime()) else None
        if step is None:
            if attempt is not None:
                await attempt.record_failure()
            raise await failed(check, row, TwoFactorErrorCode.INVALID_CODE, "totp")
        if check.signing_in:
            await service.reset_failures(row)
        if row.verified is not True:
            if check.found is not None and not two_factor_enabled(check.user):
                await set_enabled(request, response, check.found, True)
            await service.mark_verified(row)
        # Signed in, the answer names the session the request came with (better-auth's, even when just replaced).
        return await check.valid(response, trust_device=bool(body.trust_device))

    @router.post(
        "/two-factor/verify-backup-code",
        response_model=None,
        responses=answers(
            None,
            {
                400: "`BACKUP_CODES_NOT_ENABLED`, `TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE`",
                401: "`INVALID_BACKUP_CODE`, `INVALID_TWO_FACTOR_COOKIE`",
                429: "`ACCOUNT_TEMPORARILY_LOCKED`",
            },
        ),
        summary="Verify (and spend) a backup code",
        openapi_extra=body_openapi(VerifyBackupCodeBody),
    )
    async def verify_backup_code(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, VerifyBackupCodeBody, max_bytes=max_bytes)
        check = await verifying(plugin, request, response)
        row = await verification_row(check, TwoFactorErrorCode.BACKUP_CODES_NOT_ENABLED)
        attempt = await check.begin_attempt()
        if not await service.use_backup_code(row, body.code):
            if attempt is not None:
                await attempt.record_failure()
            raise await failed(check, row, TwoFactorErrorCode.INVALID_BACKUP_CODE, "backup_code")
        if check.signing_in:
            await service.reset_failures(row)
        if not body.disable_session:
            return await check.valid(response, trust_device=bool(body.trust_device))
        answer: dict[str, Any] = {"user": user_json(check.user)}
        if check.found is not None:
            answer = {"token": check.found.session.token, **answer}
        return answer

    @router.post(
        "/two-factor/generate-backup-codes",
        response_model=None,
        responses=answers(None, {400: "`TWO_FACTOR_NOT_ENABLED`, `INVALID_PASSWORD`"}),
        summary="Replace the backup codes",
        openapi_extra=body_openapi(PasswordBody),
    )
    async def generate_backup_codes(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, PasswordBody, max_bytes=max_bytes)
        found = await require_session(request, response, sensitive=True)
        if not two_factor_enabled(found.user):
            raise two_factor_error(TwoFactorErrorCode.TWO_FACTOR_NOT_ENABLED, 400)
        await check_password(found.user, body.password)
        row = await service.find(found.user.id)
        if row is None:
            raise two_factor_error(TwoFactorErrorCode.TWO_FACTOR_NOT_ENABLED, 400)
        codes = await service.replace_codes(row)
        audit("two_factor.backup_codes_replaced", user=found.user.id)
        return {"status": True, "backupCodes": codes}

    @router.post(
        "/two-factor/send-otp",
        response_model=None,
        responses=answers(None, {400: "`OTP_NOT_CONFIGURED`", 401: "`INVALID_TWO_FACTOR_COOKIE`"}),
        summary="Email a one-time code",
        openapi_extra=body_openapi(SendOtpBody, required=False),
    )
    async def send_otp(request: Request, response: Response) -> dict[str, bool]:
        if request.headers.get("content-length", "0") != "0":  # the body is optional
            await parse_body(request, SendOtpBody, max_bytes=max_bytes)
        if not options.otp_enabled:
            raise AuthError(TwoFactorErrorCode.OTP_NOT_CONFIGURED, 400, "otp isn't configured")
        check = await verifying(plugin, request, response)
        code = generate_id(options.otp_digits, _DIGITS)
        identifier = f"2fa-otp-{check.key}"
        rows = plugin.challenges.rows
        await rows.delete(identifier)  # a new code replaces the one sent before
        expires_at = context.clock.now() + timedelta(minutes=options.otp_period_minutes)
        await rows.create(identifier, f"{sha256_base64url(code)}:0", expires_at)
        user = check.user
        message = build_message(
            "two-factor-otp",
            to=user.email,
            url="",
            token=code,
            user_id=user.id,
            user_name=user.name,
            app_name=context.settings.email.app_name,
            templates=templates,
            code=code,
            user=user,
        )
        context.mailer.dispatch(message)
        return {"status": True}

    @router.post(
        "/two-factor/verify-otp",
        response_model=None,
        responses=answers(
            None,
            {
                400: "`OTP_HAS_EXPIRED`, `TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE`",
                401: "`INVALID_CODE`, `INVALID_TWO_FACTOR_COOKIE`",
                429: "`ACCOUNT_TEMPORARILY_LOCKED`",
            },
        ),
        summary="Verify an emailed code",
        openapi_extra=body_openapi(VerifyCodeBody),
    )
    async def verify_otp(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, VerifyCodeBody, max_bytes=max_bytes)
        check = await verifying(plugin, request, response)
        row = await service.find(check.user.id) if check.signing_in else None
        if row is not None:
            await service.assert_not_locked(row)
        identifier = f"2fa-otp-{check.key}"
        rows = plugin.challenges.rows
        consumed = await rows.consume(identifier)
        if consumed is None:
            raise two_factor_error(TwoFactorErrorCode.OTP_HAS_EXPIRED, 400)
        stored, _, counter = consumed.value.rpartition(":")
        attempts = int(counter) if counter.isdigit() else 0
        if attempts >= options.otp_allowed_attempts:
            raise two_factor_error(TwoFactorErrorCode.TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE, 400)
        if not hmac.compare_digest(stored.encode(), sha256_base64url(body.code).encode()):
            await rows.create(identifier, f"{stored}:{attempts + 1}", consumed.expires_at)
            raise await failed(check, row, TwoFactorErrorCode.INVALID_CODE, "otp")
        if row is not None:
            await service.reset_failures(row)
        if check.found is not None and not two_factor_enabled(check.user):
            session = await set_enabled(request, response, check.found, True)
            return {"token": session.session.token, "user": user_json(session.user)}
        return await check.valid(response, trust_device=bool(body.trust_device))

    return router
