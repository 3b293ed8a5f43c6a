"""The JSON of the organization plugin's rows, as better-auth answers them (dates as JavaScript's ISO text)."""

from __future__ import annotations

import json
from typing import Any, Literal

from ..clock import js_iso
from ..db.models import User
from .models import Invitation, Member, Organization, Team, TeamMember

MetadataForm = Literal["raw", "parsed", "parsed-if-any"]


def parse_metadata(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def org_json(org: Organization, metadata: MetadataForm = "raw") -> dict[str, Any]:
    """An organization. better-auth answers `metadata` as the stored JSON text from reads, and parsed from create and
    update (where the key is left out when there is none): docs/better-auth.md#differences-on-purpose."""
    answer: dict[str, Any] = {
        "id": org.id,
        "name": org.name,
        "slug": org.slug,
        "logo": org.logo,
        "createdAt": js_iso(org.created_at),
    }
    if metadata == "raw":
        answer["metadata"] = org.metadata_
    elif org.metadata_ is not None:
        answer["metadata"] = parse_metadata(org.metadata_)
    return answer


def user_summary(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "email": user.email, "image": user.image}


def member_json(member: Member, user: User | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "id": member.id,
        "organizationId": member.organization_id,
        "userId": member.user_id,
        "role": member.role,
        "createdAt": js_iso(member.created_at),
    }
    if user is not None:
        answer["user"] = user_summary(user)
    return answer


def invitation_json(invitation: Invitation, **extra: Any) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "organizationId": invitation.organization_id,
        "email": invitation.email,
        "role": invitation.role,
        "teamId": invitation.team_id,
        "status": invitation.status,
        "expiresAt": js_iso(invitation.expires_at),
        "createdAt": js_iso(invitation.created_at),
        "inviterId": invitation.inviter_id,
        **extra,
    }


def team_json(team: Team, **extra: Any) -> dict[str, Any]:
    return {
        "id": team.id,
        "name": team.name,
        "organizationId": team.organization_id,
        "createdAt": js_iso(team.created_at),
        "updatedAt": js_iso(team.updated_at) if team.updated_at is not None else None,
        **extra,
    }


def team_member_json(row: TeamMember) -> dict[str, Any]:
    return {
        "id": row.id,
        "teamId": row.team_id,
        "userId": row.user_id,
        "createdAt": js_iso(row.created_at) if row.created_at is not None else None,
    }
