// A real better-auth 1.7.25 app for the interop tests (tests/interop/): several better-auth instances in ONE Node
// process, each on its own loopback port, so the test session pays Node's start-up once.
//
//   NODE_APPS='{"apps": [...], "migrate": [...]}' node server.mjs
//
// apps:    [{"name": "plain", "databaseUrl": "postgres://...", "secret": "...",        (or "secrets": [{version, value}])
//            "cookieCache": null | {"strategy": "compact" | "jwt" | "jwe", "maxAge": 300},
//            "storeHashed": false | true}]   (magic-link storeToken / email-otp storeOTP: "hashed" instead of "plain")
// migrate: database URLs on which better-auth's own migrator (getMigrations from "better-auth/db/migration", with
//          the same options as the apps, api-key, two-factor, jwt, magic-link, email-otp, organization (teams
//          on) and passkey plugins included) runs BEFORE any app listens; its plan is reported.
// outbox:  a file every app appends its verification mails to, one JSON line each: {"app", "to", "url", "token"}
//          (magic links also with "type": "magic-link"; email codes as {"app", "type": "email-otp", "to", "otp", "otpType"};
//          invitations as {"app", "type": "organization-invitation", "to", "invitationId"}).
//
// When every app listens, one line is printed: `READY {"apps": {name: baseURL}, "migrations": {url: plan}}`.
// Secrets come only from NODE_APPS: the test fixture removes BETTER_AUTH_* from this process's environment, since
// better-auth would otherwise read BETTER_AUTH_SECRET(S) from it.
import { appendFile } from "node:fs/promises";
import http from "node:http";

import { apiKey } from "@better-auth/api-key";
import { passkey } from "@better-auth/passkey";
import { betterAuth } from "better-auth";
import { emailOTP, jwt, magicLink, organization, twoFactor } from "better-auth/plugins";
import { symmetricEncrypt } from "better-auth/crypto";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import pg from "pg";

const config = JSON.parse(process.env.NODE_APPS ?? "{}");
const JWT_ISSUER = "https://interop.example";
const pools = new Map();

function pool(url) {
  if (!pools.has(url)) pools.set(url, new pg.Pool({ connectionString: url, max: 4 }));
  return pools.get(url);
}

async function mail(app, fields) {
  if (config.outbox) await appendFile(config.outbox, `${JSON.stringify({ app: app.name, ...fields })}\n`);
}

function options(app, baseURL) {
  const session = app.cookieCache ? { cookieCache: { enabled: true, ...app.cookieCache } } : {};
  return {
    appName: "fastapi-betterauth-interop",
    baseURL,
    ...(app.secrets ? { secrets: app.secrets } : { secret: app.secret }),
    database: pool(app.databaseUrl),
    emailAndPassword: { enabled: true },
    emailVerification: {
      async sendVerificationEmail({ user, url, token }) {
        if (!config.outbox) return;
        const line = JSON.stringify({ app: app.name, to: user.email, url, token });
        await appendFile(config.outbox, `${line}\n`);
      },
    },
    session,
    rateLimit: { enabled: false },
    // Provider tokens are kept encrypted; GitHub is configured so that get-access-token knows the provider of an
    // account (no request ever reaches GitHub: the tests' tokens are not near expiry).
    account: { encryptOAuthTokens: true },
    socialProviders: { github: { clientId: "interop-github-client", clientSecret: "interop-github-secret" } },
    telemetry: { enabled: false },
    // Passkeys bound to rpID "localhost": a browser test opens this app at http://localhost:<port> (browsers refuse
    // IP addresses as relying party ids), an origin trusted here, and the plugin checks it as the request's Origin.
    trustedOrigins: [baseURL.replace("127.0.0.1", "localhost")],
    // Mock sessions let a test check "this key authenticates here" with GET /get-session + x-api-key. Two-factor
    // authentication with its defaults (authenticator codes and backup codes; no emailed codes). JWTs with a fixed
    // issuer and audience (ours uses the same), and no set-auth-jwt header: instances with other secrets share the
    // jwks table, and better-auth's get-session fails when it cannot open the key another secret sealed.
    // Magic links and email codes stored as better-auth stores them by default ("plain"), or hashed.
    plugins: [
      apiKey({ enableSessionForAPIKeys: true }),
      twoFactor({ issuer: "fastapi-betterauth-interop" }),
      jwt({ disableSettingJwtHeader: true, jwt: { issuer: JWT_ISSUER, audience: JWT_ISSUER } }),
      magicLink({
        storeToken: app.storeHashed ? "hashed" : "plain",
        sendMagicLink: ({ email, url, token }) => mail(app, { type: "magic-link", to: email, url, token }),
      }),
      emailOTP({
        storeOTP: app.storeHashed ? "hashed" : "plain",
        sendVerificationOTP: ({ email, otp, type }) => mail(app, { type: "email-otp", to: email, otp, otpType: type }),
      }),
      organization({
        teams: { enabled: true },
        sendInvitationEmail: (data) =>
          mail(app, { type: "organization-invitation", to: data.email, invitationId: data.id }),
      }),
      passkey({ rpID: "localhost", rpName: "fastapi-betterauth-interop" }),
    ],
  };
}

async function migrate(url) {
  const plan = await getMigrations(options({ databaseUrl: url, secret: "x".repeat(32) }, "http://127.0.0.1"));
  const sql = plan.toBeCreated.length || plan.toBeAdded.length || plan.toBeAddedIndexes.length
    ? await plan.compileMigrations()
    : "";
  await plan.runMigrations();
  return {
    toBeCreated: plan.toBeCreated.map((t) => t.table),
    toBeAdded: plan.toBeAdded.map((t) => ({ table: t.table, fields: Object.keys(t.fields) })),
    toBeAddedIndexes: plan.toBeAddedIndexes.map((i) => `${i.table}.${i.name}`),
    schemaProblems: plan.schemaProblems,
    sql,
  };
}

// POST /test/seal {"data": "..."}: the value as this instance stores an encrypted provider token (better-auth's own
// symmetricEncrypt with the instance's secrets), for the tests to write into an account row.
async function seal(auth, req, res) {
  let body = "";
  for await (const chunk of req) body += chunk;
  const { secretConfig } = await auth.$context;
  const sealed = await symmetricEncrypt({ key: secretConfig, data: JSON.parse(body).data });
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ sealed }));
}

async function listen(app) {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseURL = `http://127.0.0.1:${server.address().port}`;
  const auth = betterAuth(options(app, baseURL));
  const handler = toNodeHandler(auth);
  server.on("request", (req, res) => {
    if (req.url?.startsWith("/api/auth")) return handler(req, res);
    if (req.url === "/test/seal" && req.method === "POST") return seal(auth, req, res);
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"message":"not found"}');
  });
  return [server, baseURL];
}

const migrations = {};
for (const url of config.migrate ?? []) migrations[url] = await migrate(url);
const servers = [];
const apps = {};
for (const app of config.apps ?? []) {
  const [server, baseURL] = await listen(app);
  servers.push(server);
  apps[app.name] = baseURL;
}
console.log(`READY ${JSON.stringify({ apps, migrations })}`);

const shutdown = () => {
  for (const server of servers) server.close();
  Promise.all([...pools.values()].map((p) => p.end())).finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
