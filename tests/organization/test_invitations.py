"""Invitations: mailed through the app's mailer and templates (the file outbox records their facts), expired ones
refused by the injected clock, and the decisions on better-auth's quirks (docs/plugins/organizations.md)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.clock import ManualClock

from ..test_migrations import fresh_url, postgres_db
from .fixtures import (
    Client,
    Person,
    app,
    auth,
    clock,
    create_org,
    error,
    join,
    mails,
    new_client,
    org_env,
    outbox,
    owner,
    sign_up,
)

__all__ = ["app", "auth", "clock", "fresh_url", "new_client", "org_env", "outbox", "owner", "postgres_db"]


@pytest.fixture
async def invitee(new_client: Client) -> Person:
    return await sign_up(new_client, "invitee@example.com")


async def test_invitation_is_mailed_with_a_link_to_the_app(
    auth: BetterAuth, owner: Person, invitee: Person, outbox: Path
) -> None:
    created = await create_org(owner)
    invitation = await owner.ok("invite-member", {"email": "Invitee@Example.com", "role": "admin"})
    await auth.drain()
    [mail] = mails(outbox)
    assert (mail["to"], mail["invitationId"]) == ("invitee@example.com", invitation["id"])
    assert mail["url"] == f"https://testserver/accept-invitation/{invitation['id']}"
    assert (mail["organizationId"], mail["role"], mail["inviterEmail"]) == (created["id"], "admin", owner.email)
    assert "Acme" in mail["subject"]


@pytest.mark.parametrize("org_env", [{"BETTER_AUTH_PLUGINS__ORGANIZATION__INVITATION_URL": "https://app.test/join/"}])
async def test_the_invitation_link_is_configurable(auth: BetterAuth, owner: Person, outbox: Path) -> None:
    await create_org(owner)
    invitation = await owner.ok("invite-member", {"email": "someone@example.com", "role": "member"})
    await auth.drain()
    assert mails(outbox)[0]["url"] == f"https://app.test/join/{invitation['id']}"


async def test_expired_invitations_cannot_be_accepted(owner: Person, invitee: Person, clock: ManualClock) -> None:
    await create_org(owner)
    invitation = await owner.ok("invite-member", {"email": invitee.email, "role": "member"})
    clock.advance(timedelta(hours=48, seconds=1))
    answer = await invitee.post("accept-invitation", {"invitationId": invitation["id"]})
    assert error(answer) == (400, "INVITATION_NOT_FOUND")
    # an expired invitation no longer blocks a new one
    again = await owner.ok("invite-member", {"email": invitee.email, "role": "member"})
    assert again["id"] != invitation["id"]


async def test_accepting_when_already_a_member_is_refused(auth: BetterAuth, owner: Person, invitee: Person) -> None:
    """The invitee became a member another way (`add_member`) while the invitation was pending."""
    from fastapi_betterauth.organization import Organization

    created = await create_org(owner)
    invitation = await owner.ok("invite-member", {"email": invitee.email, "role": "member"})
    await auth.plugin(Organization).members.add_member(created["id"], invitee.id, ["member"])
    answer = await invitee.post("accept-invitation", {"invitationId": invitation["id"]})
    assert error(answer) == (400, "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION")


async def test_only_pending_invitations_can_be_canceled(owner: Person, invitee: Person) -> None:
    """better-auth marks an accepted invitation `canceled` (the membership stays); here it keeps saying `accepted`."""
    created = await create_org(owner)
    await join(owner, invitee, created["id"])
    [accepted] = (await owner.client.get("/organization/list-invitations")).json()
    answer = await owner.post("cancel-invitation", {"invitationId": accepted["id"]})
    assert error(answer) == (400, "INVITATION_NOT_FOUND")
    [still] = (await owner.client.get("/organization/list-invitations")).json()
    assert still["status"] == "accepted"


@pytest.mark.parametrize("org_env", [{"BETTER_AUTH_PLUGINS__ORGANIZATION__MEMBERSHIP_LIMIT": "2"}])
async def test_membership_limit(owner: Person, new_client: Client) -> None:
    await create_org(owner)
    people = [await sign_up(new_client, f"p{n}@example.com") for n in range(2)]
    invitations = [await owner.ok("invite-member", {"email": p.email, "role": "member"}) for p in people]
    assert (await people[0].post("accept-invitation", {"invitationId": invitations[0]["id"]})).status_code == 200
    answer = await people[1].post("accept-invitation", {"invitationId": invitations[1]["id"]})
    assert error(answer) == (403, "ORGANIZATION_MEMBERSHIP_LIMIT_REACHED")


@pytest.mark.parametrize("org_env", [{"BETTER_AUTH_PLUGINS__ORGANIZATION__INVITATION_LIMIT": "1"}])
async def test_invitation_limit(owner: Person) -> None:
    await create_org(owner)
    await owner.ok("invite-member", {"email": "one@example.com", "role": "member"})
    answer = await owner.post("invite-member", {"email": "two@example.com", "role": "member"})
    assert error(answer) == (403, "INVITATION_LIMIT_REACHED")


@pytest.mark.parametrize(
    "org_env", [{"BETTER_AUTH_PLUGINS__ORGANIZATION__REQUIRE_EMAIL_VERIFICATION_ON_INVITATION": "true"}]
)
async def test_unverified_addresses_cannot_accept_when_required(owner: Person, invitee: Person) -> None:
    await create_org(owner)
    invitation = await owner.ok("invite-member", {"email": invitee.email, "role": "member"})
    answer = await invitee.post("accept-invitation", {"invitationId": invitation["id"]})
    assert error(answer) == (403, "EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION")


@pytest.mark.parametrize(
    "org_env", [{"BETTER_AUTH_PLUGINS__ORGANIZATION__CANCEL_PENDING_INVITATIONS_ON_RE_INVITE": "true"}]
)
async def test_re_inviting_cancels_the_pending_invitation(owner: Person) -> None:
    await create_org(owner)
    first = await owner.ok("invite-member", {"email": "again@example.com", "role": "member"})
    second = await owner.ok("invite-member", {"email": "again@example.com", "role": "admin"})
    statuses: dict[str, Any] = {
        i["id"]: i["status"] for i in (await owner.client.get("/organization/list-invitations")).json()
    }
    assert statuses == {first["id"]: "canceled", second["id"]: "pending"}
