"""The `/passkey/*` routes, as better-auth's passkey plugin answers them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from ..audit import audit
from ..cookies import request_cookies
from ..errors import AuthError, ErrorCode
from ..hooks import HookVetoError
from ..routing import NO_STORE, AuthRouter, answers, body_openapi, json_answer, parse_body
from ..schemas import session_out_json, user_json
from ..sessions.deps import require_session, resolve_session
from ..sessions.issuer import SignInAttempt, SignInHalted
from ..sessions.service import AuthSession
from .ceremonies import Ceremony, CeremonyFailedError, Challenge
from .errors import PasskeyErrorCode, passkey_error
from .schemas import (
    PasskeyIdBody,
    PasskeyOut,
    PasskeySignedInResponse,
    UpdatedPasskeyResponse,
    UpdatePasskeyBody,
    VerifyAuthenticationBody,
    VerifyRegistrationBody,
)

if TYPE_CHECKING:
    from .plugin import Passkey

_Attachment = Literal["platform", "cross-platform"]
_SESSION = {401: "`UNAUTHORIZED`"}
_FRESH = {401: "`UNAUTHORIZED`", 403: "`SESSION_NOT_FRESH`, `API_KEY_SESSION_NOT_ALLOWED`"}


def build_router(plugin: Passkey) -> APIRouter:
    router = AuthRouter(tags=["passkey"])
    context = plugin.context
    options = plugin.options
    ceremonies = plugin.ceremonies
    passkeys = plugin.service
    cookies = context.cookies
    max_bytes = context.settings.advanced.max_body_bytes
    cookie_name = cookies.name(options.challenge_cookie)

    async def registering_session(request: Request, response: Response) -> AuthSession:
        """The signed-in user adding a passkey: a session from a cookie or bearer token (never an API key), fresh
        unless `fresh_session_required` is off (docs/security.md W4)."""
        found = await require_session(request, response, sensitive=True)
        if options.fresh_session_required and not context.sessions.is_fresh(found):
            raise AuthError(ErrorCode.SESSION_NOT_FRESH)
        return found

    async def options_answer(response: Response, answer: dict[str, Any], challenge: Challenge) -> Response:
        """The ceremony options, with the signed challenge cookie of their kept challenge."""
        token = await ceremonies.open(challenge)
        response.headers.append("set-cookie", cookies.serialize_signed(cookie_name, token, options.challenge_max_age))
        response.headers.update(NO_STORE)
        return json_answer(answer, response)

    async def take_challenge(request: Request, ceremony: Ceremony) -> Challenge:
        token = cookies.read_signed(request_cookies(request), cookie_name)
        challenge = await ceremonies.take(token, ceremony) if token else None
        if challenge is None:
            raise passkey_error(PasskeyErrorCode.CHALLENGE_NOT_FOUND, 400)
        return challenge

    @router.get(
        "/passkey/generate-register-options",
        response_model=None,
        responses=answers(None, _FRESH),
        summary="Options to register a passkey",
        description="`PublicKeyCredentialCreationOptionsJSON` for `navigator.credentials.create()`; sets the "
        "challenge cookie. Needs a fresh session.",
    )
    async def generate_register_options(
        request: Request,
        response: Response,
        authenticator_attachment: Annotated[_Attachment | None, Query(alias="authenticatorAttachment")] = None,
        name: Annotated[str | None, Query(max_length=256)] = None,
        passkey_context: Annotated[str | None, Query(alias="context", max_length=1024)] = None,
    ) -> Response:
        found = await registering_session(request, response)
        user = found.user
        label = user.email or user.id
        existing = await passkeys.list(user.id)
        answer = ceremonies.registration_options(name or label, label, existing, authenticator_attachment)
        return await options_answer(
            response, answer, Challenge("registration", answer["challenge"], user.id, label, label)
        )

    @router.post(
        "/passkey/verify-registration",
        response_model=None,
        responses=answers(
            PasskeyOut,
            {400: "`CHALLENGE_NOT_FOUND`, `FAILED_TO_VERIFY_REGISTRATION`, `PREVIOUSLY_REGISTERED`"},
            {401: "`YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY`"},
            _FRESH,
        ),
        summary="Register a passkey",
        description="Verifies the browser's registration response against the challenge cookie's challenge and "
        "stores the passkey. With `createSession: true`, also answers a new session (and sets its cookie).",
        openapi_extra=body_openapi(VerifyRegistrationBody),
    )
    async def verify_registration(request: Request, response: Response) -> Response:
        body = await parse_body(request, VerifyRegistrationBody, max_bytes=max_bytes)
        found = await registering_session(request, response)
        if not request.headers.get("origin"):
            raise passkey_error(PasskeyErrorCode.FAILED_TO_VERIFY_REGISTRATION, 400)
        challenge = await take_challenge(request, "registration")
        user = found.user
        if challenge.user_id != user.id:
            raise passkey_error(PasskeyErrorCode.YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY, 401)
        try:
            credential = ceremonies.verify_registration(body.response, challenge)
        except CeremonyFailedError as error:
            audit("passkey.registration_failed", user=user.id, reason=str(error))
            raise passkey_error(PasskeyErrorCode.FAILED_TO_VERIFY_REGISTRATION, 400) from None
        if await passkeys.by_credential(credential.credential_id) is not None:
            raise passkey_error(PasskeyErrorCode.PREVIOUSLY_REGISTERED, 400)
        passkey = await passkeys.add(user.id, credential, body.name or None)
        audit("passkey.registered", user=user.id, passkey=passkey.id)
        answer: dict[str, Any] = passkey.to_json()
        if body.create_session:
            client = context.client_info(request)
            try:  # through the sign-in stages, as better-auth's session hooks (bans) apply to this session too
                session = await context.issuer.issue(SignInAttempt(user, "passkey", True, client))
            except SignInHalted as halted:
                return halted.to_response()
            except HookVetoError:
                raise passkey_error(PasskeyErrorCode.UNABLE_TO_CREATE_SESSION, 401) from None
            present = request_cookies(request)
            await context.session_cookies.write(response, session, remember_me=True, present=present)
            answer.update(session=session_out_json(session.session), user=user_json(session.user))
        return json_answer(answer, response)

    @router.get(
        "/passkey/generate-authenticate-options",
        response_model=None,
        responses=answers(None),
        summary="Options to sign in with a passkey",
        description="`PublicKeyCredentialRequestOptionsJSON` for `navigator.credentials.get()`; sets the challenge "
        "cookie. Without a session, lists no credentials: the browser offers its discoverable passkeys.",
    )
    async def generate_authenticate_options(request: Request, response: Response) -> Response:
        found = await resolve_session(request, response)
        allowed = await passkeys.list(found.user.id) if found is not None else []
        answer = ceremonies.authentication_options(allowed)
        user_id = found.user.id if found is not None else ""
        return await options_answer(response, answer, Challenge("authentication", answer["challenge"], user_id))

    @router.post(
        "/passkey/verify-authentication",
        response_model=None,
        responses=answers(
            PasskeySignedInResponse,
            {400: "`CHALLENGE_NOT_FOUND`, `AUTHENTICATION_FAILED`; no code: `origin missing`"},
            {401: "`PASSKEY_NOT_FOUND`; a sign-in stage's refusal (`BANNED_USER`...)"},
        ),
        summary="Sign in with a passkey",
        description="Verifies the browser's assertion against the challenge cookie's challenge and the stored "
        "passkey (its signature counter must grow), then signs its user in through the sign-in stages.",
        openapi_extra=body_openapi(VerifyAuthenticationBody),
    )
    async def verify_authentication(request: Request, response: Response) -> Response:
        body = await parse_body(request, VerifyAuthenticationBody, max_bytes=max_bytes)
        if not request.headers.get("origin"):
            raise AuthError(ErrorCode.VALIDATION_ERROR, 400, "origin missing", answer_code=False)
        challenge = await take_challenge(request, "authentication")
        credential_id = body.response.get("id")
        passkey = await passkeys.by_credential(credential_id) if isinstance(credential_id, str) else None
        if passkey is None:
            raise passkey_error(PasskeyErrorCode.PASSKEY_NOT_FOUND, 401)
        client = context.client_info(request)
        try:
            new_counter = ceremonies.verify_authentication(body.response, challenge, passkey)
        except CeremonyFailedError as error:
            audit(
                "passkey.sign_in_failed",
                user=passkey.user_id,
                passkey=passkey.id,
                ip=client.ip_address,
                reason=str(error),
            )
            raise passkey_error(PasskeyErrorCode.AUTHENTICATION_FAILED, 400) from None
        if not await passkeys.advance_counter(passkey, new_counter):
            audit("passkey.sign_in_failed", user=passkey.user_id, passkey=passkey.id, reason="counter raced")
            raise passkey_error(PasskeyErrorCode.AUTHENTICATION_FAILED, 400)
        user = await context.users.get(passkey.user_id)
        if user is None:  # a row left by a user deleted without the cascade (better-auth: 500 USER_NOT_FOUND)
            raise passkey_error(PasskeyErrorCode.PASSKEY_NOT_FOUND, 401)
        try:
            session = await context.issuer.issue(SignInAttempt(user, "passkey", True, client))
        except SignInHalted as halted:
            return halted.to_response()
        except HookVetoError:
            raise passkey_error(PasskeyErrorCode.UNABLE_TO_CREATE_SESSION, 401) from None
        response.headers.update(NO_STORE)
        await context.session_cookies.write(response, session, remember_me=True, present=request_cookies(request))
        answer = {"session": session_out_json(session.session), "user": user_json(session.user)}
        return json_answer(answer, response)

    @router.get(
        "/passkey/list-user-passkeys",
        response_model=list[PasskeyOut],
        responses=answers(None, _SESSION),
        summary="List the user's passkeys",
    )
    async def list_user_passkeys(request: Request, response: Response) -> Response:
        found = await require_session(request, response)
        return json_answer([passkey.to_json() for passkey in await passkeys.list(found.user.id)], response)

    @router.post(
        "/passkey/delete-passkey",
        response_model=None,
        responses=answers(
            None,
            {400: "`FAILED_TO_DELETE_LAST_PASSKEY`", 404: "`PASSKEY_NOT_FOUND`"},
            _SESSION,
            {403: "`API_KEY_SESSION_NOT_ALLOWED`"},
        ),
        summary="Delete a passkey",
        description="Refused for the user's last way to sign in (no other passkey, password or linked provider) "
        "unless `social.allow_unlinking_all`.",
        openapi_extra=body_openapi(PasskeyIdBody),
    )
    async def delete_passkey(request: Request, response: Response) -> dict[str, bool]:
        body = await parse_body(request, PasskeyIdBody, max_bytes=max_bytes)
        found = await require_session(request, response, sensitive=True)
        passkey = await passkeys.owned(found.user.id, body.id, None)
        await passkeys.delete(passkey)
        audit("passkey.deleted", user=found.user.id, passkey=passkey.id)
        return {"status": True}

    @router.post(
        "/passkey/update-passkey",
        response_model=None,
        responses=answers(
            UpdatedPasskeyResponse,
            {401: "`YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY`", 404: "`PASSKEY_NOT_FOUND`"},
            _SESSION,
        ),
        summary="Rename a passkey",
        openapi_extra=body_openapi(UpdatePasskeyBody),
    )
    async def update_passkey(request: Request, response: Response) -> Response:
        body = await parse_body(request, UpdatePasskeyBody, max_bytes=max_bytes)
        found = await require_session(request, response)
        forbidden = PasskeyErrorCode.YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY
        passkey = await passkeys.owned(found.user.id, body.id, forbidden)
        renamed = await passkeys.rename(passkey, body.name)
        return json_answer({"passkey": renamed.to_json()}, response)

    return router
