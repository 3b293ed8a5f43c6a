"""Invitations: invite (and mail), list, read, accept, reject, cancel. Accepting is one transaction under the
organization's row lock in which only a still-pending invitation turns accepted, so two accepts of one invitation
make one member (docs/security.md M2). No HTTP here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..addresses import is_valid_email
from ..admin.errors import codeless
from ..db.models import User
from ..errors import AuthError, ErrorCode
from ..mail import Templates, build_message
from ..sessions.service import AuthSession
from . import store
from .access import role_list
from .active import ACTIVE_ORGANIZATION, ACTIVE_TEAM, ActiveState, active_organization_id
from .base import OrgServiceBase
from .errors import OrgErrorCode, forbidden, org_error
from .hooks import run_after, run_before
from .models import Invitation, Member, Organization, TeamMember
from .views import invitation_json, member_json


@dataclass(frozen=True)
class Accepted:
    invitation: Invitation
    member: Member
    session: AuthSession
    team_activated: bool
    """One team was joined and made active: better-auth re-sends the session cookie then."""


class InvitationService(OrgServiceBase):
    templates: Templates = Templates()

    def _expired(self, invitation: Invitation) -> bool:
        return invitation.expires_at < self.clock.now()

    async def invite(
        self,
        found: AuthSession,
        *,
        email: str,
        roles: list[str],
        organization_id: str | None,
        team_ids: list[str],
        resend: bool,
    ) -> Invitation:
        options = self.options
        wanted = self.organization_or(found, organization_id, OrgErrorCode.ORGANIZATION_NOT_FOUND)
        email = email.lower()
        if not is_valid_email(email):
            raise AuthError(ErrorCode.INVALID_EMAIL)
        now = self.clock.now()
        async with self.reading() as db:
            me = await store.member_of(db, wanted, found.user.id)
            if me is None:
                raise org_error(OrgErrorCode.MEMBER_NOT_FOUND)
            if not self.permitted(me, {"invitation": ["create"]}):
                raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION)
            if not roles:
                raise org_error(OrgErrorCode.ROLE_NOT_FOUND)
            role = self.checked_roles(roles, with_code=False)
            caller_is_creator = self.is_creator(me.role)
            if not caller_is_creator and options.creator_role in roles:
                raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE)
            if await store.member_by_email(db, wanted, email) is not None:
                raise org_error(OrgErrorCode.USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION)
            pending = await store.pending_invitations(db, wanted, email, now)
            if pending and not resend and not options.cancel_pending_invitations_on_re_invite:
                raise org_error(OrgErrorCode.USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION)
            org = await store.org_by_id(db, wanted)
            if org is None:
                raise org_error(OrgErrorCode.ORGANIZATION_NOT_FOUND)
            if not pending or not resend:
                if len(await store.pending_invitations(db, wanted, None, now)) >= options.invitation_limit:
                    raise forbidden(OrgErrorCode.INVITATION_LIMIT_REACHED)
                await self._check_teams(db, wanted, team_ids)
        expires_at = now + timedelta(seconds=options.invitation_expires_in)
        if pending and resend:
            invitation = pending[0]
            if not caller_is_creator and options.creator_role in role_list(invitation.role):
                raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE)
            async with self.writing() as db:
                invitation.expires_at = expires_at
                db.add(invitation)
            self._mail(invitation, org, found.user)
            return invitation
        data: dict[str, Any] = {
            "organizationId": wanted,
            "email": email,
            "role": role,
            "teamId": ",".join(team_ids) if team_ids else None,
            "inviterId": found.user.id,
            "expiresAt": expires_at,
        }
        data = await run_before(options.hooks.before_create_invitation, data)
        invitation = Invitation(
            organization_id=wanted,
            email=data["email"],
            role=data["role"],
            team_id=data["teamId"],
            status="pending",
            expires_at=data["expiresAt"],
            created_at=now,
            inviter_id=found.user.id,
        )
        async with self.writing() as db:
            if pending and options.cancel_pending_invitations_on_re_invite:
                for old in pending:
                    await store.set_invitation_status(db, old.id, "canceled", only_pending=True)
            db.add(invitation)
        self._mail(invitation, org, found.user)
        await run_after(options.hooks.after_create_invitation, invitation_json(invitation))
        return invitation

    async def _check_teams(self, db: Any, organization_id: str, team_ids: list[str]) -> None:
        if not self.options.teams.enabled or not team_ids:
            return
        if any("," in team_id for team_id in team_ids):
            raise org_error(OrgErrorCode.INVALID_TEAM_ID)
        limit = self.options.teams.maximum_members_per_team
        for team_id in team_ids:
            if await store.team_by_id(db, team_id, organization_id) is None:
                raise org_error(OrgErrorCode.TEAM_NOT_FOUND)
            if limit is not None and await store.count_team_members(db, team_id) >= limit:
                raise forbidden(OrgErrorCode.TEAM_MEMBER_LIMIT_REACHED)

    def invitation_url(self, invitation: Invitation) -> str:
        base = self.options.invitation_url or f"{self.context.settings.url.rstrip('/')}/accept-invitation/"
        return f"{base}{invitation.id}"

    def _mail(self, invitation: Invitation, org: Organization, inviter: User) -> None:
        """Mail the invitation (the app's templates apply; the file outbox records its facts)."""
        if not self.options.send_invitation_email:
            return
        flows = self.context.email_password.emails
        templates = flows.templates if flows is not None else self.templates
        message = build_message(
            "organization-invitation",
            to=invitation.email,
            url=self.invitation_url(invitation),
            token="",
            user_id=None,
            user_name=None,
            app_name=self.context.settings.email.app_name,
            templates=templates,
            organization_name=org.name,
            inviter=inviter.name or inviter.email,
            details=(
                ("invitationId", invitation.id),
                ("organizationId", org.id),
                ("role", invitation.role),
                ("inviterEmail", inviter.email),
            ),
        )
        self.context.mailer.dispatch(message)

    def _recipient(self, found: AuthSession, invitation: Invitation, verification: OrgErrorCode) -> None:
        if invitation.email.lower() != found.user.email.lower():
            raise forbidden(OrgErrorCode.YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION)
        if self.options.require_email_verification_on_invitation and not found.user.email_verified:
            raise forbidden(verification)

    async def _pending(self, invitation_id: str) -> Invitation:
        async with self.reading() as db:
            invitation = await store.invitation_by_id(db, invitation_id)
        if invitation is None or invitation.status != "pending" or self._expired(invitation):
            raise org_error(OrgErrorCode.INVITATION_NOT_FOUND)
        return invitation

    async def accept(self, found: AuthSession, invitation_id: str) -> Accepted:
        invitation = await self._pending(invitation_id)
        verification = OrgErrorCode.EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION
        self._recipient(found, invitation, verification)
        organization_id = invitation.organization_id
        team_ids = [t for t in (invitation.team_id or "").split(",") if t] if self.options.teams.enabled else []
        await run_before(
            self.options.hooks.before_accept_invitation,
            {"invitation": invitation_json(invitation), "user": found.user.id},
        )
        now = self.clock.now()
        async with self.writing() as db:
            if not await store.lock_org(db, organization_id):
                raise org_error(OrgErrorCode.ORGANIZATION_NOT_FOUND)
            if not await store.set_invitation_status(db, invitation_id, "accepted", only_pending=True):
                raise org_error(OrgErrorCode.INVITATION_NOT_FOUND)  # another accept (or a cancel) came first
            if await store.member_of(db, organization_id, found.user.id) is not None:
                raise org_error(OrgErrorCode.USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION)
            if await store.count_members(db, organization_id) >= self.options.membership_limit:
                raise forbidden(OrgErrorCode.ORGANIZATION_MEMBERSHIP_LIMIT_REACHED)
            limit = self.options.teams.maximum_members_per_team
            for team_id in team_ids:
                if await store.team_by_id(db, team_id, organization_id) is None:
                    raise org_error(OrgErrorCode.TEAM_NOT_FOUND)
                if await store.team_member(db, team_id, found.user.id) is None:
                    if limit is not None and await store.count_team_members(db, team_id) >= limit:
                        raise forbidden(OrgErrorCode.TEAM_MEMBER_LIMIT_REACHED)
                    key = store.membership_key(team_id, found.user.id)
                    db.add(TeamMember(team_id=team_id, user_id=found.user.id, membership_key=key, created_at=now))
            await db.flush()
            await store.sync_member_count(db, team_ids)
            member = Member(
                organization_id=organization_id, user_id=found.user.id, role=invitation.role or "member", created_at=now
            )
            db.add(member)
        invitation.status = "accepted"
        values: dict[str, str | None] = {ACTIVE_ORGANIZATION: organization_id}
        if len(team_ids) == 1:
            values[ACTIVE_TEAM] = team_ids[0]
        session = await ActiveState(self.context).set(found, values)
        await run_after(
            self.options.hooks.after_accept_invitation,
            {"invitation": invitation_json(invitation), "member": member_json(member)},
        )
        return Accepted(invitation, member, session, len(team_ids) == 1)

    async def reject(self, found: AuthSession, invitation_id: str) -> Invitation:
        async with self.reading() as db:
            invitation = await store.invitation_by_id(db, invitation_id)
        if invitation is None or invitation.status != "pending":
            raise org_error(OrgErrorCode.INVITATION_NOT_FOUND, 400, "Invitation not found!")
        verification = OrgErrorCode.EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION
        self._recipient(found, invitation, verification)
        async with self.writing() as db:
            if not await store.set_invitation_status(db, invitation_id, "rejected", only_pending=True):
                raise org_error(OrgErrorCode.INVITATION_NOT_FOUND, 400, "Invitation not found!")
        invitation.status = "rejected"
        return invitation

    async def cancel(self, found: AuthSession, invitation_id: str) -> Invitation:
        async with self.reading() as db:
            invitation = await store.invitation_by_id(db, invitation_id)
            if invitation is None:
                raise org_error(OrgErrorCode.INVITATION_NOT_FOUND)
            me = await store.member_of(db, invitation.organization_id, found.user.id)
        if me is None:
            raise org_error(OrgErrorCode.MEMBER_NOT_FOUND)
        if not self.permitted(me, {"invitation": ["cancel"]}):
            raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION)
        async with self.writing() as db:
            # Only a pending invitation is canceled: an accepted or rejected one keeps saying what happened.
            if not await store.set_invitation_status(db, invitation_id, "canceled", only_pending=True):
                raise org_error(OrgErrorCode.INVITATION_NOT_FOUND)
        invitation.status = "canceled"
        return invitation

    async def read(self, found: AuthSession, invitation_id: str) -> dict[str, Any]:
        invitation = await self._pending(invitation_id)
        self._recipient(found, invitation, OrgErrorCode.EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION)
        async with self.reading() as db:
            org = await store.org_by_id(db, invitation.organization_id)
            if org is None:
                raise org_error(OrgErrorCode.ORGANIZATION_NOT_FOUND)
            inviter = await store.member_of(db, org.id, invitation.inviter_id)
            inviter_user = await db.get(User, invitation.inviter_id)
        if inviter is None or inviter_user is None:
            raise org_error(OrgErrorCode.INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION)
        return invitation_json(
            invitation, organizationName=org.name, organizationSlug=org.slug, inviterEmail=inviter_user.email
        )

    async def list_for_org(self, found: AuthSession, organization_id: str | None) -> list[Invitation]:
        wanted = organization_id or active_organization_id(found)
        if not wanted:
            raise codeless(400, "Organization ID is required")
        async with self.reading() as db:
            me = await store.member_of(db, wanted, found.user.id)
            if me is None:
                raise codeless(403, "You are not a member of this organization")
            if not self.permitted(me, {"invitation": ["create"]}):
                raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS)
            invitations = await store.invitations_of_org(db, wanted)
        if self.is_creator(me.role):
            return invitations
        return [i for i in invitations if self.options.creator_role not in role_list(i.role)]

    async def list_for_user(self, found: AuthSession) -> list[dict[str, Any]]:
        if not found.user.email_verified:
            raise forbidden(OrgErrorCode.EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION)
        async with self.reading() as db:
            rows = await store.invitations_to(db, found.user.email)
        return [invitation_json(i, organizationName=o.name) for i, o in rows]
