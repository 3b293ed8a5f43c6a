"""The `/organization/*` routes on teams (with `teams.enabled`): create, list, update, remove, set-active-team,
list-user-teams, list-team-members, add-team-member, remove-team-member."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from ..routing import AuthRouter, answers, body_openapi, parse_body
from .routes_common import max_bytes, no_session_docs, org_session, query_text
from .schemas import CreateTeamBody, SetActiveTeamBody, TeamIdBody, TeamMemberBody, UpdateTeamBody
from .views import team_json, team_member_json

if TYPE_CHECKING:
    from .plugin import Organization

NO_ORG = "`NO_ACTIVE_ORGANIZATION`"


def build_team_router(plugin: Organization) -> APIRouter:
    router = AuthRouter(tags=["organization"])
    limit = max_bytes(plugin)
    teams = plugin.teams

    @router.post(
        "/organization/create-team",
        response_model=None,
        responses=answers(
            None,
            {401: "no session (empty body)", 400: NO_ORG},
            {403: "`YOU_ARE_NOT_ALLOWED_TO_CREATE_TEAMS_IN_THIS_ORGANIZATION`"},
        ),
        summary="Create a team in the organization (`team:create`)",
        openapi_extra=body_openapi(CreateTeamBody),
    )
    async def create_team(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, CreateTeamBody, max_bytes=limit)
        found = await org_session(request, response, "empty")
        return team_json(await teams.create(found, body.organization_id, body.name))

    @router.get(
        "/organization/list-teams",
        response_model=None,
        responses=answers(
            None, no_session_docs(), {400: NO_ORG, 403: "`YOU_ARE_NOT_ALLOWED_TO_ACCESS_THIS_ORGANIZATION`"}
        ),
        summary="The organization's teams",
    )
    async def list_teams(request: Request, response: Response) -> list[dict[str, Any]]:
        found = await org_session(request, response)
        return [team_json(t) for t in await teams.list_teams(found, query_text(request, "organizationId"))]

    @router.post(
        "/organization/update-team",
        response_model=None,
        responses=answers(
            None, no_session_docs(), {400: "`TEAM_NOT_FOUND`", 403: "`YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_TEAM`"}
        ),
        summary="Rename a team (`team:update`)",
        openapi_extra=body_openapi(UpdateTeamBody),
    )
    async def update_team(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, UpdateTeamBody, max_bytes=limit)
        found = await org_session(request, response)
        data: dict[str, Any] = {}
        if body.data.name is not None:
            data["name"] = body.data.name
        if body.data.organization_id is not None:
            data["organizationId"] = body.data.organization_id
        return team_json(await teams.update(found, body.team_id, data))

    @router.post(
        "/organization/remove-team",
        response_model=None,
        responses=answers(
            None,
            {401: "no session (empty body)", 400: "`TEAM_NOT_FOUND`, `UNABLE_TO_REMOVE_LAST_TEAM`"},
            {
                403: "`YOU_ARE_NOT_ALLOWED_TO_DELETE_TEAMS_IN_THIS_ORGANIZATION`, "
                "`YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_TEAM`"
            },
        ),
        summary="Remove a team (`team:delete`), not the caller's active one nor the last one",
        openapi_extra=body_openapi(TeamIdBody),
    )
    async def remove_team(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, TeamIdBody, max_bytes=limit)
        found = await org_session(request, response, "empty")
        await teams.remove(found, body.organization_id, body.team_id)
        return {"message": "Team removed successfully."}

    @router.post(
        "/organization/set-active-team",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {400: "`NO_ACTIVE_ORGANIZATION`, `TEAM_NOT_FOUND`", 403: "`USER_IS_NOT_A_MEMBER_OF_THE_TEAM`"},
        ),
        summary="Make a team the session's active one (null unsets it); the session cookie is re-sent",
        openapi_extra=body_openapi(SetActiveTeamBody),
    )
    async def set_active_team(request: Request, response: Response) -> dict[str, Any] | None:
        body = await parse_body(request, SetActiveTeamBody, max_bytes=limit)
        found = await org_session(request, response)
        unset = "team_id" in body.model_fields_set and body.team_id is None
        team, session = await teams.activate(found, body.team_id, unset=unset)
        if session is not found:
            await plugin.organizations.active.send_cookie(request, response, session)
        return None if team is None else team_json(team)

    @router.get(
        "/organization/list-user-teams",
        response_model=None,
        responses=answers(None, no_session_docs(), {403: "`YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER`"}),
        summary="The teams of the caller (or of `userId`, with `member:update`), in every organization or one",
    )
    async def list_user_teams(request: Request, response: Response) -> list[dict[str, Any]]:
        found = await org_session(request, response)
        listed = await teams.user_teams(found, query_text(request, "userId"), query_text(request, "organizationId"))
        return [team_json(t) for t in listed]

    @router.get(
        "/organization/list-team-members",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {400: "`YOU_DO_NOT_HAVE_AN_ACTIVE_TEAM`, `TEAM_NOT_FOUND`, `USER_IS_NOT_A_MEMBER_OF_THE_TEAM`"},
        ),
        summary="The members of a team the caller is in (or of the active team)",
    )
    async def list_team_members(request: Request, response: Response) -> list[dict[str, Any]]:
        found = await org_session(request, response)
        return [team_member_json(row) for row in await teams.members_of_team(found, query_text(request, "teamId"))]

    @router.post(
        "/organization/add-team-member",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {400: "`USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION`, `TEAM_NOT_FOUND`"},
            {403: "`YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_TEAM_MEMBER`"},
        ),
        summary="Add a member of the organization to a team (`member:update`); adding again answers the same row",
        openapi_extra=body_openapi(TeamMemberBody),
    )
    async def add_team_member(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, TeamMemberBody, max_bytes=limit)
        found = await org_session(request, response)
        return team_member_json(await teams.add_member(found, body.organization_id, body.team_id, body.user_id))

    @router.post(
        "/organization/remove-team-member",
        response_model=None,
        responses=answers(
            None,
            no_session_docs(),
            {400: "`USER_IS_NOT_A_MEMBER_OF_THE_TEAM`", 403: "`YOU_ARE_NOT_ALLOWED_TO_REMOVE_A_TEAM_MEMBER`"},
        ),
        summary="Remove a user from a team (`member:delete`)",
        openapi_extra=body_openapi(TeamMemberBody),
    )
    async def remove_team_member(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, TeamMemberBody, max_bytes=limit)
        found = await org_session(request, response)
        await teams.remove_member(found, body.organization_id, body.team_id, body.user_id)
        return {"message": "Team member removed successfully."}

    return router
