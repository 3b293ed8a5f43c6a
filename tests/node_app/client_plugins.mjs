// better-auth's own JS client, with its twoFactorClient, usernameClient and jwtClient plugins, against a server of
// ours: sign-up with a username, a JWT of the user (from /token and from getSession's set-auth-jwt header) verified by
// jose against jwtClient's jwks(), 2FA set up with an authenticator code, then sign-ins answered with a TOTP code and
// with a backup code, as a browser app using the client would do them.
//
//   AUTH_BASE_URL=http://127.0.0.1:8000/api/auth node client_plugins.mjs
//
// Run from the folder whose node_modules holds better-auth (tests/node_app's install). Prints "N passed, N failed";
// exit code 1 on any failure.
import { createHmac, randomUUID } from "node:crypto";
import { jwtClient, twoFactorClient, usernameClient } from "better-auth/client/plugins";
import { createLocalJWKSet, jwtVerify } from "jose";
import { ORIGIN, SESSION_COOKIE, assert, check, finish, makeBrowser } from "./client_support.mjs";

const TWO_FACTOR_COOKIE = "better-auth.two_factor";

function makeTwoFactorBrowser() {
  const redirects = [];
  const plugins = [usernameClient(), jwtClient(), twoFactorClient({ onTwoFactorRedirect: () => redirects.push(Date.now()) })];
  return { ...makeBrowser(plugins), redirects };
}

function base32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of text.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function totp(uri, at = Date.now()) {
  const url = new URL(uri);
  const key = base32Decode(url.searchParams.get("secret"));
  const period = Number(url.searchParams.get("period") || 30);
  const digits = Number(url.searchParams.get("digits") || 6);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / period)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(value).padStart(digits, "0");
}

const email = `js-2fa-${randomUUID().slice(0, 8)}@example.com`;
const username = `Js_${randomUUID().slice(0, 8)}`;
const password = "js-client-pass-1";
const owner = makeTwoFactorBrowser();
let totpURI;
let backupCodes;

await check("signUp.email with a username", async () => {
  const { data, error } = await owner.client.signUp.email({ email, password, name: "JS", username });
  assert(!error, "unexpected error", error);
  assert(data.user.username === username.toLowerCase(), "username kept lower-case", data.user);
  assert(data.user.displayUsername === username, "displayUsername as typed", data.user);
  assert(data.user.twoFactorEnabled === false, "twoFactorEnabled", data.user);
});

await check("isUsernameAvailable", async () => {
  const taken = await owner.client.isUsernameAvailable({ username: username.toUpperCase() });
  assert(taken.data?.available === false, "taken in any case", taken);
  const free = await owner.client.isUsernameAvailable({ username: `free_${randomUUID().slice(0, 8)}` });
  assert(free.data?.available === true, "free", free);
});

await check("jwtClient: a JWT from /token and from set-auth-jwt verifies against jwks()", async () => {
  const keys = await owner.client.jwks();
  assert(!keys.error && keys.data?.keys?.length >= 1, "jwks", keys);
  const { data, error } = await owner.client.$fetch("/token", { method: "GET" });
  assert(!error && typeof data?.token === "string", "token", error);
  let header;
  await owner.client.getSession({ fetchOptions: { onSuccess: (ctx) => (header = ctx.response.headers.get("set-auth-jwt")) } });
  assert(typeof header === "string", "set-auth-jwt header");
  for (const token of [data.token, header]) {
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(keys.data), {
      issuer: ORIGIN,
      audience: ORIGIN,
    });
    assert(protectedHeader.alg === "EdDSA", "alg", protectedHeader);
    assert(payload.email === email && payload.sub === payload.id, "claims", payload);
    assert(payload.username === username.toLowerCase(), "the user's plugin fields too", payload);
  }
});

await check("twoFactor.enable, then verifyTotp switches 2FA on", async () => {
  const enabled = await owner.client.twoFactor.enable({ password });
  assert(!enabled.error, "enable failed", enabled.error);
  totpURI = enabled.data.totpURI;
  backupCodes = enabled.data.backupCodes;
  assert(totpURI.startsWith("otpauth://totp/"), "totpURI", enabled.data);
  assert(backupCodes.length === 10, "backup codes", backupCodes);
  const verified = await owner.client.twoFactor.verifyTotp({ code: totp(totpURI) });
  assert(!verified.error, "verifyTotp failed", verified.error);
  const session = await owner.client.getSession();
  assert(session.data?.user?.twoFactorEnabled === true, "twoFactorEnabled after verification", session.data);
});

await check("signIn.email of a 2FA user is a challenge, answered with a TOTP code", async () => {
  const browser = makeTwoFactorBrowser();
  const { data, error } = await browser.client.signIn.email({ email, password });
  assert(!error, "unexpected error", error);
  assert(data?.twoFactorRedirect === true, "twoFactorRedirect", data);
  assert(browser.redirects.length === 1, "onTwoFactorRedirect called", browser.redirects);
  assert(browser.jar.has(TWO_FACTOR_COOKIE) && !browser.jar.has(SESSION_COOKIE), "challenge cookie only", [
    ...browser.jar.keys(),
  ]);
  assert((await browser.client.getSession()).data === null, "no session before the second factor");
  // A code of the next period (the server accepts one period either way): the one of now completed the enabling.
  const verified = await browser.client.twoFactor.verifyTotp({ code: totp(totpURI, Date.now() + 30_000) });
  assert(!verified.error, "verifyTotp failed", verified.error);
  assert(browser.jar.has(SESSION_COOKIE) && !browser.jar.has(TWO_FACTOR_COOKIE), "session, challenge gone");
  const session = await browser.client.getSession();
  assert(session.data?.user?.email === email, "signed in", session.data);
});

await check("signIn.username of a 2FA user, answered with a backup code", async () => {
  const browser = makeTwoFactorBrowser();
  const { data, error } = await browser.client.signIn.username({ username, password });
  assert(!error, "unexpected error", error);
  assert(data?.twoFactorRedirect === true, "twoFactorRedirect", data);
  const verified = await browser.client.twoFactor.verifyBackupCode({ code: backupCodes[0] });
  assert(!verified.error, "verifyBackupCode failed", verified.error);
  const session = await browser.client.getSession();
  assert(session.data?.user?.username === username.toLowerCase(), "signed in", session.data);
});

await check("a spent backup code is refused", async () => {
  const browser = makeTwoFactorBrowser();
  await browser.client.signIn.email({ email, password });
  const again = await browser.client.twoFactor.verifyBackupCode({ code: backupCodes[0] });
  assert(again.error?.status === 401, "status", again.error);
  assert(again.error?.code === "INVALID_BACKUP_CODE", "code", again.error);
});

finish();
