"""The `/organization/*` routes on invitations: invite-member, list-invitations, get-invitation, accept, reject,
cancel, list-user-invitations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from ..admin.errors import codeless
from ..routing import AuthRouter, answers, body_openapi, parse_body
from ..sessions.deps import resolve_session
from .routes_common import max_bytes, no_session_docs, org_session, query_text
from .schemas import InvitationIdBody, InviteBody, roles_given
from .views import invitation_json, member_json

if TYPE_CHECKING:
    from .plugin import Organization


def build_invitation_router(plugin: Organization) -> APIRouter:
    router = AuthRouter(tags=["organization"])
    limit = max_bytes(plugin)
    invitations = plugin.invitations

    @router.post(
        "/organization/invite-member",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {
                400: "`INVALID_EMAIL`, `ROLE_NOT_FOUND`, `MEMBER_NOT_FOUND`, `ORGANIZATION_NOT_FOUND`, "
                "`USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION`, `USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION`, "
                "`TEAM_NOT_FOUND`, `INVALID_TEAM_ID`"
            },
            {
                403: "`YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION`, "
                "`YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE`, `INVITATION_LIMIT_REACHED`"
            },
        ),
        summary="Invite an address into the organization (and teams); the invitation is mailed",
        openapi_extra=body_openapi(InviteBody),
    )
    async def invite_member(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, InviteBody, max_bytes=limit)
        roles = roles_given(body.role)
        team_ids = [body.team_id] if isinstance(body.team_id, str) else list(body.team_id or [])
        found = await org_session(request, response)
        invitation = await invitations.invite(
            found,
            email=body.email,
            roles=roles,
            organization_id=body.organization_id,
            team_ids=[t for t in team_ids if t],
            resend=bool(body.resend),
        )
        return invitation_json(invitation)

    @router.get(
        "/organization/list-invitations",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {403: "`YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS`"},
            codeless={400: "Organization ID is required", 403: "You are not a member of this organization"},
        ),
        summary="An organization's invitations, every status",
    )
    async def list_invitations(request: Request, response: Response) -> list[dict[str, Any]]:
        found = await org_session(request, response)
        listed = await invitations.list_for_org(found, query_text(request, "organizationId"))
        return [invitation_json(i) for i in listed]

    @router.get(
        "/organization/get-invitation",
        response_model=None,
        responses=answers(
            None,
            {400: "`INVITATION_NOT_FOUND`, `INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION`"},
            {403: "`YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION`"},
            codeless={401: "Not authenticated"},
        ),
        summary="A pending invitation to the caller, with the organization's name and slug and the inviter's address",
    )
    async def get_invitation(request: Request, response: Response) -> dict[str, Any]:
        invitation_id = query_text(request, "id", required=True)
        assert invitation_id is not None
        found = await org_session(request, response, "not-authenticated")
        return await invitations.read(found, invitation_id)

    @router.post(
        "/organization/accept-invitation",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {400: "`INVITATION_NOT_FOUND`, `USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION`"},
            {403: "`YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION`, `ORGANIZATION_MEMBERSHIP_LIMIT_REACHED`"},
        ),
        summary="Accept an invitation: `{invitation, member}`; its organization becomes the active one",
        openapi_extra=body_openapi(InvitationIdBody),
    )
    async def accept_invitation(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, InvitationIdBody, max_bytes=limit)
        found = await org_session(request, response)
        accepted = await invitations.accept(found, body.invitation_id)
        if accepted.team_activated:
            await plugin.organizations.active.send_cookie(request, response, accepted.session)
        return {"invitation": invitation_json(accepted.invitation), "member": member_json(accepted.member)}

    @router.post(
        "/organization/reject-invitation",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {400: "`INVITATION_NOT_FOUND`", 403: "`YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION`"},
        ),
        summary="Reject an invitation: `{invitation, member: null}`",
        openapi_extra=body_openapi(InvitationIdBody),
    )
    async def reject_invitation(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, InvitationIdBody, max_bytes=limit)
        found = await org_session(request, response)
        return {"invitation": invitation_json(await invitations.reject(found, body.invitation_id)), "member": None}

    @router.post(
        "/organization/cancel-invitation",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {400: "`INVITATION_NOT_FOUND`, `MEMBER_NOT_FOUND`", 403: "`YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION`"},
        ),
        summary="Cancel a pending invitation (`invitation:cancel`)",
        openapi_extra=body_openapi(InvitationIdBody),
    )
    async def cancel_invitation(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, InvitationIdBody, max_bytes=limit)
        found = await org_session(request, response)
        return invitation_json(await invitations.cancel(found, body.invitation_id))

    @router.get(
        "/organization/list-user-invitations",
        response_model=None,
        responses=answers(
            None,
            {403: "`EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION`"},
            codeless={400: "an `email` query parameter, or no session"},
        ),
        summary="The pending invitations to the caller's (verified) address, with the organizations' names",
    )
    async def list_user_invitations(request: Request, response: Response) -> list[dict[str, Any]]:
        if query_text(request, "email"):
            raise codeless(400, "User email cannot be passed for client side API calls.")
        found = await resolve_session(request, response, use_cookie_cache=False)
        if found is None:
            raise codeless(400, "Missing session headers, or email query parameter.")
        return await invitations.list_for_user(found)

    return router
