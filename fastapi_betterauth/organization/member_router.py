"""The `/organization/*` routes on members: list-members, get-active-member(-role), update-member-role,
remove-member, leave, has-permission. (`addMember` is server-side only, as in better-auth:
`MemberService.add_member`.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from ..routing import AuthRouter, answers, body_openapi, parse_body
from .errors import OrgErrorCode, forbidden, org_error
from .members import MemberQuery
from .routes_common import max_bytes, no_session_docs, org_session, query_int, query_text
from .schemas import (
    HasPermissionBody,
    OrganizationIdBody,
    RemoveMemberBody,
    UpdateMemberRoleBody,
    roles_given,
    validation,
)
from .views import member_json

FILTER_OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains", "starts_with", "ends_with")
"""better-auth's `whereOperators`."""

if TYPE_CHECKING:
    from .plugin import Organization


def build_member_router(plugin: Organization) -> APIRouter:
    router = AuthRouter(tags=["organization"])
    limit = max_bytes(plugin)
    members = plugin.members

    @router.get(
        "/organization/list-members",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {
                400: "`NO_ACTIVE_ORGANIZATION`, `ORGANIZATION_NOT_FOUND`",
                403: "`YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION`",
            },
        ),
        summary="An organization's members with their users: `{members, total}` (limit, offset, sort, filter)",
    )
    async def list_members(request: Request, response: Response) -> dict[str, Any]:
        direction = query_text(request, "sortDirection")
        if direction not in (None, "asc", "desc"):
            raise validation('[query.sortDirection] Invalid option: expected one of "asc"|"desc"')
        operator = query_text(request, "filterOperator")
        if operator is not None and operator not in FILTER_OPERATORS:
            options = "|".join(f'"{name}"' for name in FILTER_OPERATORS)
            raise validation(f"[query.filterOperator] Invalid option: expected one of {options}")
        query = MemberQuery(
            limit=query_int(request, "limit"),
            offset=query_int(request, "offset") or 0,
            sort_by=query_text(request, "sortBy"),
            descending=direction == "desc",
            filter_field=query_text(request, "filterField"),
            filter_value=query_text(request, "filterValue"),
            filter_operator=operator,
        )
        found = await org_session(request, response)
        organization_id = await members.organization_of(
            found, query_text(request, "organizationId"), query_text(request, "organizationSlug")
        )
        rows, total = await members.list_members(found, organization_id, query)
        return {"members": [member_json(m, u) for m, u in rows], "total": total}

    @router.get(
        "/organization/get-active-member",
        response_model=None,
        responses=answers(None, no_session_docs(), {400: "`NO_ACTIVE_ORGANIZATION`, `MEMBER_NOT_FOUND`"}),
        summary="The caller's membership of the active organization, with its user",
    )
    async def get_active_member(request: Request, response: Response) -> dict[str, Any]:
        found = await org_session(request, response)
        member, user = await members.active_member(found)
        return member_json(member, user)

    @router.get(
        "/organization/get-active-member-role",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {400: "`NO_ACTIVE_ORGANIZATION`", 403: "`YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION`"},
        ),
        summary="`{role}` of the caller (or of `userId`) in the organization",
    )
    async def get_active_member_role(request: Request, response: Response) -> dict[str, Any]:
        found = await org_session(request, response)
        organization_id = await members.organization_of(
            found, query_text(request, "organizationId"), query_text(request, "organizationSlug")
        )
        me = await members.membership(organization_id, found.user.id)
        if me is None:
            raise forbidden(OrgErrorCode.YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION)
        user_id = query_text(request, "userId")
        if not user_id:
            return {"role": me.role}
        other = await members.membership(organization_id, user_id)
        if other is None:
            raise forbidden(OrgErrorCode.YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION)
        return {"role": other.role}

    @router.post(
        "/organization/update-member-role",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {400: "`MEMBER_NOT_FOUND`, `ROLE_NOT_FOUND`, `YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER`"},
            {403: "`YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER`"},
        ),
        summary="Set a member's role or roles (`member:update`)",
        openapi_extra=body_openapi(UpdateMemberRoleBody),
    )
    async def update_member_role(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, UpdateMemberRoleBody, max_bytes=limit)
        roles = roles_given(body.role)
        if not roles:
            raise org_error(OrgErrorCode.ROLE_NOT_FOUND)
        found = await org_session(request, response)
        return member_json(await members.update_role(found, body.organization_id, body.member_id, roles))

    @router.post(
        "/organization/remove-member",
        response_model=None,
        responses=answers(
            None,
            {401: "`UNAUTHORIZED`; `YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER` (as better-auth answers it)"},
            {400: "`MEMBER_NOT_FOUND`, `YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER`"},
        ),
        summary="Remove a member by id or address (`member:delete`); never the last owner",
        openapi_extra=body_openapi(RemoveMemberBody),
    )
    async def remove_member(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, RemoveMemberBody, max_bytes=limit)
        found = await org_session(request, response)
        member, user, _ = await members.remove(found, body.organization_id, body.member_id_or_email)
        return {"member": member_json(member, user)}

    @router.post(
        "/organization/leave",
        response_model=None,
        responses=answers(
            None, no_session_docs(), {400: "`MEMBER_NOT_FOUND`, `YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER`"}
        ),
        summary="Leave an organization (not as its last owner)",
        openapi_extra=body_openapi(OrganizationIdBody),
    )
    async def leave(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, OrganizationIdBody, max_bytes=limit)
        found = await org_session(request, response)
        member, _ = await members.leave(found, body.organization_id)
        return member_json(member, found.user)

    @router.post(
        "/organization/has-permission",
        response_model=None,
        responses=answers(
            None,
            {401: "`UNAUTHORIZED`, `USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION`", 400: "`NO_ACTIVE_ORGANIZATION`"},
        ),
        summary="Whether the caller's role in the organization grants `permissions`: `{error: null, success}`",
        openapi_extra=body_openapi(HasPermissionBody),
    )
    async def has_permission(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, HasPermissionBody, max_bytes=limit)
        given = [p for p in (body.permissions, body.permission) if p is not None]
        if len(given) > 1:
            raise validation("[body] Invalid input: more than one option matched")
        if not given:
            raise validation("[body] Invalid input")
        found = await org_session(request, response)
        granted = await members.has_permission(found, body.organization_id, given[0])
        return {"error": None, "success": granted}

    return router
