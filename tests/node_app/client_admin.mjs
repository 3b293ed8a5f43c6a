// better-auth's own JS client with its adminClient plugin, against a server of ours with the admin plugin on: an admin
// lists users (a search and a page), bans a user (who then cannot sign in) and lifts the ban, impersonates a user
// and stops, and asks what it may do, as an admin dashboard using the client would.
//
//   AUTH_BASE_URL=http://127.0.0.1:8000/api/auth AUTH_ADMIN_EMAIL=... AUTH_ADMIN_PASSWORD=... node client_admin.mjs
//
// The admin (AUTH_ADMIN_EMAIL, AUTH_ADMIN_PASSWORD) must exist already, with the role `admin`. Run from the folder
// whose node_modules holds better-auth (tests/node_app's install). Prints "N passed, N failed"; exit code 1 on any
// failure.
import { randomUUID } from "node:crypto";
import { adminClient } from "better-auth/client/plugins";
import { assert, check, finish, makeBrowser } from "./client_support.mjs";

const adminEmail = process.env.AUTH_ADMIN_EMAIL;
const adminPassword = process.env.AUTH_ADMIN_PASSWORD;
if (!adminEmail || !adminPassword) {
  console.error("AUTH_ADMIN_EMAIL and AUTH_ADMIN_PASSWORD must be set");
  process.exit(2);
}

const admin = makeBrowser([adminClient()]);
const member = makeBrowser([adminClient()]);
const tag = randomUUID().slice(0, 8);
const email = `js-member-${tag}@example.com`;
const password = "js-member-pass-1";
let adminId;
let memberId;

await check("the admin signs in; a member signs up", async () => {
  const signedIn = await admin.client.signIn.email({ email: adminEmail, password: adminPassword });
  assert(!signedIn.error, "admin sign-in failed", signedIn.error);
  adminId = signedIn.data.user.id;
  assert(signedIn.data.user.role === "admin", "the admin's role", signedIn.data.user);
  const signedUp = await member.client.signUp.email({ email, password, name: "Member" });
  assert(!signedUp.error, "sign-up failed", signedUp.error);
  memberId = signedUp.data.user.id;
  assert(signedUp.data.user.role === "user", "a new user's role", signedUp.data.user);
});

await check("admin.listUsers with a search, and with a limit", async () => {
  const found = await admin.client.admin.listUsers({ query: { searchValue: `member-${tag}`, searchField: "email" } });
  assert(!found.error, "listUsers failed", found.error);
  assert(found.data.total === 1 && found.data.users.length === 1, "one match", found.data);
  assert(found.data.users[0].id === memberId && found.data.users[0].banned === false, "the member", found.data);
  const page = await admin.client.admin.listUsers({ query: { limit: 1, sortBy: "createdAt", sortDirection: "desc" } });
  assert(!page.error, "listUsers failed", page.error);
  assert(page.data.users.length === 1 && page.data.limit === 1, "one a page", page.data);
  assert(page.data.total >= 2, "the total counts every user", page.data);
  assert(page.data.users[0].id === memberId, "newest first", page.data);
});

await check("a member may not list users", async () => {
  const refused = await member.client.admin.listUsers({ query: {} });
  assert(refused.error?.status === 403, "status", refused.error);
  assert(refused.error?.code === "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS", "code", refused.error);
});

await check("admin.banUser ends the member's session and refuses their sign-in; unbanUser lets them back", async () => {
  const banned = await admin.client.admin.banUser({ userId: memberId, banReason: "spam" });
  assert(!banned.error, "banUser failed", banned.error);
  assert(banned.data.user.banned === true && banned.data.user.banReason === "spam", "banned", banned.data);
  assert((await member.client.getSession()).data === null, "the member's session ended");
  const refused = await member.client.signIn.email({ email, password });
  assert(refused.error?.status === 403, "status", refused.error);
  assert(refused.error?.code === "BANNED_USER", "code", refused.error);
  const unbanned = await admin.client.admin.unbanUser({ userId: memberId });
  assert(!unbanned.error, "unbanUser failed", unbanned.error);
  assert(unbanned.data.user.banned === false, "unbanned", unbanned.data);
  const back = await member.client.signIn.email({ email, password });
  assert(!back.error, "sign-in after the ban was lifted", back.error);
});

await check("admin.impersonateUser, then stopImpersonating", async () => {
  const started = await admin.client.admin.impersonateUser({ userId: memberId });
  assert(!started.error, "impersonateUser failed", started.error);
  assert(started.data.session.impersonatedBy === adminId, "impersonatedBy", started.data);
  const as = await admin.client.getSession();
  assert(as.data?.user?.id === memberId, "the session is the member's", as.data);
  assert(as.data?.session?.impersonatedBy === adminId, "marked impersonatedBy the admin", as.data);
  const stopped = await admin.client.admin.stopImpersonating();
  assert(!stopped.error, "stopImpersonating failed", stopped.error);
  const own = await admin.client.getSession();
  assert(own.data?.user?.id === adminId, "back to the admin", own.data);
  assert(!own.data?.session?.impersonatedBy, "the admin's own session", own.data);
});

await check("admin.hasPermission answers for the signed-in user", async () => {
  const allowed = await admin.client.admin.hasPermission({ permissions: { user: ["ban"], session: ["revoke"] } });
  assert(!allowed.error && allowed.data.success === true, "the admin may ban", allowed);
  const beyond = await admin.client.admin.hasPermission({ permissions: { user: ["impersonate-admins"] } });
  assert(!beyond.error && beyond.data.success === false, "not impersonate admins", beyond);
  const member_ = await member.client.admin.hasPermission({ permissions: { user: ["ban"] } });
  assert(!member_.error && member_.data.success === false, "a member may not ban", member_);
  assert(admin.client.admin.checkRolePermission({ role: "admin", permissions: { user: ["ban"] } }), "client-side");
});

finish();
