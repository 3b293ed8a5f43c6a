// better-auth's own JS client with its organizationClient plugin (teams on), against a server of ours with the
// organization plugin on: an owner creates an organization, invites a member (the invitation mail is read from the
// outbox), the member accepts and sees the organization active, roles and permissions are asked, and a team is made
// and joined, as a multi-tenant app using the client would.
//
//   AUTH_BASE_URL=http://127.0.0.1:8000/api/auth OUTBOX=/tmp/outbox.jsonl node client_organization.mjs
//
// Run from the folder whose node_modules holds better-auth (tests/node_app's install). Prints "N passed, N failed";
// exit code 1 on any failure.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { organizationClient } from "better-auth/client/plugins";
import { assert, check, finish, makeBrowser } from "./client_support.mjs";

const OUTBOX = process.env.OUTBOX;
if (!OUTBOX) {
  console.error("OUTBOX must be set");
  process.exit(2);
}
const plugins = () => [organizationClient({ teams: { enabled: true } })];
const owner = makeBrowser(plugins());
const member = makeBrowser(plugins());
const tag = randomUUID().slice(0, 8);
const ownerEmail = `js-owner-${tag}@example.com`;
const memberEmail = `js-member-${tag}@example.com`;
let org;
let invitationId;
let memberId;

async function invitationMail(to) {
  for (let i = 0; i < 50; i++) {
    const lines = fs.existsSync(OUTBOX) ? fs.readFileSync(OUTBOX, "utf8").split("\n").filter(Boolean) : [];
    const found = lines.map((l) => JSON.parse(l)).filter((m) => m.type === "organization-invitation" && m.to === to);
    if (found.length) return found.at(-1);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no invitation mail to ${to}`);
}

await check("two people sign up; the owner creates an organization (it becomes the active one)", async () => {
  for (const [browser, email] of [[owner, ownerEmail], [member, memberEmail]]) {
    const signedUp = await browser.client.signUp.email({ email, password: "js-org-pass-1", name: email.split("@")[0] });
    assert(!signedUp.error, "sign-up failed", signedUp.error);
  }
  const slug = `js-${tag}`;
  const free = await owner.client.organization.checkSlug({ slug });
  assert(!free.error && free.data.status === true, "the slug is free", free);
  const created = await owner.client.organization.create({ name: "JS Inc", slug, metadata: { plan: "pro" } });
  assert(!created.error, "create failed", created.error);
  org = created.data;
  assert(org.slug === slug && org.members[0].role === "owner", "the owner is its first member", org);
  assert(org.metadata?.plan === "pro", "metadata", org);
  const session = await owner.client.getSession();
  assert(session.data?.session?.activeOrganizationId === org.id, "active organization", session.data);
});

await check("inviteMember mails an invitation; the member reads and accepts it", async () => {
  const invited = await owner.client.organization.inviteMember({ email: memberEmail, role: "admin" });
  assert(!invited.error, "inviteMember failed", invited.error);
  assert(invited.data.status === "pending" && invited.data.organizationId === org.id, "pending", invited.data);
  const mail = await invitationMail(memberEmail);
  invitationId = mail.invitationId;
  assert(invitationId === invited.data.id && mail.url.endsWith(invitationId), "the mail names it", mail);
  const got = await member.client.organization.getInvitation({ query: { id: invitationId } });
  assert(!got.error && got.data.organizationName === "JS Inc" && got.data.inviterEmail === ownerEmail, "read", got);
  const accepted = await member.client.organization.acceptInvitation({ invitationId });
  assert(!accepted.error, "acceptInvitation failed", accepted.error);
  assert(accepted.data.invitation.status === "accepted", "accepted", accepted.data);
  memberId = accepted.data.member.id;
  assert(accepted.data.member.role === "admin", "the invited role", accepted.data);
  const session = await member.client.getSession();
  assert(session.data?.session?.activeOrganizationId === org.id, "the member's active organization", session.data);
  const again = await member.client.organization.acceptInvitation({ invitationId });
  assert(again.error?.status === 400 && again.error?.code === "INVITATION_NOT_FOUND", "once only", again.error);
});

await check("getFullOrganization, listMembers and getActiveMember", async () => {
  const full = await member.client.organization.getFullOrganization();
  assert(!full.error && full.data.id === org.id, "full organization", full);
  assert(full.data.members.length === 2, "two members", full.data.members);
  const listed = await owner.client.organization.listMembers();
  assert(!listed.error && listed.data.total === 2, "listMembers", listed);
  const active = await member.client.organization.getActiveMember();
  assert(!active.error && active.data.id === memberId && active.data.user.email === memberEmail, "active", active);
});

await check("hasPermission and checkRolePermission with the default roles", async () => {
  const may = await member.client.organization.hasPermission({ permissions: { member: ["update"] } });
  assert(!may.error && may.data.success === true, "an admin may update members", may);
  const mayNot = await member.client.organization.hasPermission({ permissions: { organization: ["delete"] } });
  assert(!mayNot.error && mayNot.data.success === false, "an admin may not delete the organization", mayNot);
  const local = member.client.organization.checkRolePermission({ role: "member", permissions: { ac: ["read"] } });
  assert(local === true, "client-side role check");
});

await check("teams: createTeam, addTeamMember, setActiveTeam, listUserTeams", async () => {
  const team = await owner.client.organization.createTeam({ name: "Engineering" });
  assert(!team.error && team.data.name === "Engineering", "createTeam", team);
  const members = await owner.client.organization.listMembers();
  const memberUserId = members.data.members.find((m) => m.id === memberId).userId;
  const added = await owner.client.organization.addTeamMember({ teamId: team.data.id, userId: memberUserId });
  assert(!added.error && added.data.teamId === team.data.id, "addTeamMember", added);
  const active = await member.client.organization.setActiveTeam({ teamId: team.data.id });
  assert(!active.error && active.data.id === team.data.id, "setActiveTeam", active);
  const teams = await member.client.organization.listUserTeams();
  assert(!teams.error && teams.data.map((t) => t.id).includes(team.data.id), "listUserTeams", teams);
});

await check("the last owner cannot leave; the member can", async () => {
  const refused = await owner.client.organization.leave({ organizationId: org.id });
  assert(refused.error?.code === "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER", "last owner", refused.error);
  const left = await member.client.organization.leave({ organizationId: org.id });
  assert(!left.error && left.data.id === memberId, "leave", left);
  const listed = await member.client.organization.list();
  assert(!listed.error && listed.data.length === 0, "no organizations left", listed);
});

finish();
