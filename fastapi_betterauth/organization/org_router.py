"""The `/organization/*` routes on organizations: create, check-slug, list, get(-full), update, delete, set-active."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from ..routing import AuthRouter, answers, body_openapi, parse_body
from ..routing.zod import js_type
from .errors import OrgErrorCode, org_error
from .routes_common import max_bytes, no_session_docs, org_session, query_int, query_text
from .schemas import (
    CreateOrganizationBody,
    OrganizationIdBody,
    SetActiveBody,
    SlugBody,
    UpdateOrganizationBody,
    UpdateOrganizationData,
    record_or_none,
    validation,
)
from .views import member_json, org_json

if TYPE_CHECKING:
    from .plugin import Organization


def build_org_router(plugin: Organization) -> APIRouter:
    router = AuthRouter(tags=["organization"])
    limit = max_bytes(plugin)
    orgs = plugin.organizations

    @router.post(
        "/organization/create",
        response_model=None,
        responses=answers(None, {401: "no session (empty body)", 400: "`ORGANIZATION_ALREADY_EXISTS`"}),
        summary="Create an organization: the caller is its owner, and it becomes the active one",
        openapi_extra=body_openapi(CreateOrganizationBody),
    )
    async def create(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, CreateOrganizationBody, max_bytes=limit)
        metadata = record_or_none(body.metadata, "body.metadata")
        found = await org_session(request, response, "empty")
        created = await orgs.create(
            found,
            name=body.name,
            slug=body.slug,
            logo=body.logo,
            metadata=metadata,
            keep_active=bool(body.keep_current_active_organization),
        )
        return {**org_json(created.organization, "parsed-if-any"), "members": [member_json(created.member)]}

    @router.post(
        "/organization/check-slug",
        response_model=None,
        responses=answers(None, no_session_docs(), {400: "`ORGANIZATION_SLUG_ALREADY_TAKEN`"}),
        summary="Whether a slug is free: `{status: true}`",
        openapi_extra=body_openapi(SlugBody),
    )
    async def check_slug(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, SlugBody, max_bytes=limit)
        await org_session(request, response)
        if await orgs.slug_taken(body.slug):
            raise org_error(OrgErrorCode.ORGANIZATION_SLUG_ALREADY_TAKEN)
        return {"status": True}

    @router.get(
        "/organization/list",
        response_model=None,
        responses=answers(None, no_session_docs()),
        summary="The organizations the caller is a member of",
    )
    async def list_organizations(request: Request, response: Response) -> list[dict[str, Any]]:
        found = await org_session(request, response)
        return [org_json(org) for org in await orgs.list_for(found.user)]

    async def read(request: Request, response: Response) -> Any:
        found = await org_session(request, response)
        return await orgs.read(found, query_text(request, "organizationId"), query_text(request, "organizationSlug"))

    @router.get(
        "/organization/get-organization",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {400: "`ORGANIZATION_NOT_FOUND`", 403: "`USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION`"},
        ),
        summary="An organization (by id, slug, or the active one); null without one",
    )
    async def get_organization(request: Request, response: Response) -> dict[str, Any] | None:
        got = await read(request, response)
        return None if got is None else org_json(got[0])

    @router.get(
        "/organization/get-full-organization",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {400: "`ORGANIZATION_NOT_FOUND`", 403: "`USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION`"},
        ),
        summary="An organization with its members, invitations and teams; null without one",
    )
    async def get_full_organization(request: Request, response: Response) -> dict[str, Any] | None:
        members_limit = query_int(request, "membersLimit")
        got = await read(request, response)
        if got is None:
            return None
        return await orgs.full(got[0], got[1], members_limit)

    @router.post(
        "/organization/update",
        response_model=None,
        responses=answers(
            None,
            {401: "no session (`User not found`, no code)"},
            {
                400: "`ORGANIZATION_NOT_FOUND`, `USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION`, "
                "`ORGANIZATION_SLUG_ALREADY_TAKEN`"
            },
            {403: "`YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION`"},
        ),
        summary="Change an organization's name, slug, logo or metadata (`organization:update`)",
        openapi_extra=body_openapi(UpdateOrganizationBody),
    )
    async def update(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, UpdateOrganizationBody, max_bytes=limit)
        if not isinstance(body.data, dict):
            received = "undefined" if "data" not in body.model_fields_set else js_type(body.data)
            raise validation(f"[body.data] Invalid input: expected object, received {received}")
        data = _update_data(body.data)
        found = await org_session(request, response, "user-not-found")
        return org_json(await orgs.update(found, body.organization_id, data), "parsed-if-any")

    @router.post(
        "/organization/delete",
        response_model=None,
        responses=answers(
            None,
            {401: "no session (empty body)", 400: "`USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION`"},
            {403: "`YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION`", 404: "deletion is disabled"},
        ),
        summary="Delete an organization with its members, invitations and teams (`organization:delete`)",
        openapi_extra=body_openapi(OrganizationIdBody),
    )
    async def delete(request: Request, response: Response) -> dict[str, Any]:
        if plugin.options.disable_organization_deletion:
            raise org_error(OrgErrorCode.ORGANIZATION_NOT_FOUND, 404, "Organization deletion is disabled")
        body = await parse_body(request, OrganizationIdBody, max_bytes=limit)
        found = await org_session(request, response, "empty")
        org, _ = await orgs.delete(found, body.organization_id)
        return org_json(org)

    @router.post(
        "/organization/set-active",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {400: "`ORGANIZATION_NOT_FOUND`", 403: "`USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION`"},
        ),
        summary="Make an organization the session's active one (null unsets it); the session cookie is re-sent",
        openapi_extra=body_openapi(SetActiveBody),
    )
    async def set_active(request: Request, response: Response) -> dict[str, Any] | None:
        body = await parse_body(request, SetActiveBody, max_bytes=limit)
        found = await org_session(request, response)
        unset = "organization_id" in body.model_fields_set and body.organization_id is None
        org, session, written = await orgs.activate(found, body.organization_id, body.organization_slug, unset=unset)
        if written:
            await orgs.active.send_cookie(request, response, session)
        return None if org is None else org_json(org)

    return router


def _update_data(data: dict[str, Any]) -> dict[str, Any]:
    """The changes of an update's `data`, checked as better-auth's schema checks them (other keys are ignored)."""
    from pydantic import ValidationError

    from ..routing.zod import format_errors

    try:
        checked = UpdateOrganizationData.model_validate(data)
    except ValidationError as exc:
        raise validation(format_errors(exc.errors(), UpdateOrganizationData, ("body", "data"))) from None
    changes: dict[str, Any] = {key: data[key] for key in ("name", "slug", "logo") if key in data}
    if "metadata" in data:
        changes["metadata"] = record_or_none(checked.metadata, "body.data.metadata")
    return changes
