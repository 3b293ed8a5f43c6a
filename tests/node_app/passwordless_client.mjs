// better-auth's own JS client, with its magicLinkClient and emailOTPClient plugins, against a server of ours: a
// magic-link sign-up followed as a browser follows the mailed link, then email-OTP sign-in, address verification and
// password reset, reading the mails from the server's outbox file.
//
//   AUTH_BASE_URL=http://127.0.0.1:8000/api/auth OUTBOX=/tmp/outbox.jsonl node passwordless_client.mjs
//
// Run from the folder whose node_modules holds better-auth (tests/node_app's install). Prints "N passed, N failed";
// exit code 1 on any failure.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createAuthClient } from "better-auth/client";
import { emailOTPClient, magicLinkClient } from "better-auth/client/plugins";

const BASE = (process.env.AUTH_BASE_URL || "").replace(/\/+$/, "");
const OUTBOX = process.env.OUTBOX || "";
if (!BASE || !OUTBOX) {
  console.error("AUTH_BASE_URL and OUTBOX must be set");
  process.exit(2);
}
const ORIGIN = new URL(BASE).origin;
const SESSION_COOKIE = "better-auth.session_token";

function makeBrowser() {
  const jar = new Map();
  const fetchWithJar = async (input, init = {}) => {
    const request = new Request(input, init);
    const headers = new Headers(request.headers);
    if (jar.size) headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
    if (request.method !== "GET") headers.set("origin", ORIGIN);
    const response = await fetch(new Request(request, { headers, redirect: "manual" }));
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const name = pair.slice(0, pair.indexOf("=")).trim();
      const value = pair.slice(pair.indexOf("=") + 1).trim();
      const maxAge = attributes.map((a) => a.trim().toLowerCase()).find((a) => a.startsWith("max-age="));
      if (value === "" || (maxAge && Number(maxAge.slice(8)) <= 0)) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  };
  const client = createAuthClient({
    baseURL: BASE,
    fetchOptions: { customFetchImpl: fetchWithJar },
    plugins: [magicLinkClient(), emailOTPClient()],
  });
  return { client, jar, fetch: fetchWithJar };
}

async function mailTo(address, type, count) {
  for (let i = 0; i < 100; i++) {
    let lines = [];
    try {
      lines = readFileSync(OUTBOX, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
    } catch {}
    const found = lines.filter((mail) => mail.to.toLowerCase() === address.toLowerCase() && mail.type === type);
    if (found.length >= count) return found[count - 1];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${type} mail #${count} to ${address}`);
}

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}: ${error?.stack || error}`);
  }
}
function assert(condition, message, extra) {
  if (!condition) throw new Error(`${message}${extra === undefined ? "" : ` -- ${JSON.stringify(extra)}`}`);
}

const linkEmail = `js-ml-${randomUUID().slice(0, 8)}@example.com`;
const otpEmail = `js-otp-${randomUUID().slice(0, 8)}@example.com`;

await check("signIn.magicLink, then the mailed link signs up and redirects", async () => {
  const browser = makeBrowser();
  const { data, error } = await browser.client.signIn.magicLink({ email: linkEmail, name: "Maggie", callbackURL: "/dash" });
  assert(!error, "unexpected error", error);
  assert(data?.status === true, "status", data);
  const mail = await mailTo(linkEmail, "magic-link", 1);
  const followed = await browser.fetch(mail.url);
  assert(followed.status === 302, "redirect", followed.status);
  assert(followed.headers.get("location") === `${ORIGIN}/dash`, "location", followed.headers.get("location"));
  assert(browser.jar.has(SESSION_COOKIE), "session cookie");
  const session = await browser.client.getSession();
  assert(session.data?.user?.email === linkEmail && session.data.user.name === "Maggie", "signed in", session.data);
});

await check("magicLink.verify answers the session", async () => {
  const browser = makeBrowser();
  await browser.client.signIn.magicLink({ email: linkEmail });
  const mail = await mailTo(linkEmail, "magic-link", 2);
  const { data, error } = await browser.client.magicLink.verify({ query: { token: mail.token } });
  assert(!error, "unexpected error", error);
  assert(data?.user?.email === linkEmail && data.session.token === data.token, "session", data);
});

await check("emailOtp.sendVerificationOtp and signIn.emailOtp sign up", async () => {
  const browser = makeBrowser();
  const sent = await browser.client.emailOtp.sendVerificationOtp({ email: otpEmail, type: "sign-in" });
  assert(sent.data?.success === true, "sent", sent);
  const mail = await mailTo(otpEmail, "email-otp", 1);
  assert(mail.otpType === "sign-in" && /^[0-9]{6}$/.test(mail.otp), "mail", mail);
  const { data, error } = await browser.client.signIn.emailOtp({ email: otpEmail, otp: mail.otp });
  assert(!error, "unexpected error", error);
  assert(data?.user?.emailVerified === true, "verified user", data);
  assert((await browser.client.getSession()).data?.user?.email === otpEmail, "signed in");
});

await check("a wrong code is refused with INVALID_OTP", async () => {
  const browser = makeBrowser();
  const { error } = await browser.client.signIn.emailOtp({ email: otpEmail, otp: "000000" });
  assert(error?.status === 400 && error.code === "INVALID_OTP", "refused", error);
});

await check("emailOtp.verifyEmail, checkVerificationOtp", async () => {
  const browser = makeBrowser();
  await browser.client.emailOtp.sendVerificationOtp({ email: otpEmail, type: "email-verification" });
  const mail = await mailTo(otpEmail, "email-otp", 2);
  const checked = await browser.client.emailOtp.checkVerificationOtp({
    email: otpEmail,
    type: "email-verification",
    otp: mail.otp,
  });
  assert(checked.data?.success === true, "checked", checked);
  const { data, error } = await browser.client.emailOtp.verifyEmail({ email: otpEmail, otp: mail.otp });
  assert(!error && data.status === true && data.user.emailVerified === true, "verified", { data, error });
});

await check("emailOtp.requestPasswordReset and resetPassword, then a password sign-in", async () => {
  const browser = makeBrowser();
  const asked = await browser.client.emailOtp.requestPasswordReset({ email: otpEmail });
  assert(asked.data?.success === true, "asked", asked);
  const mail = await mailTo(otpEmail, "email-otp", 3);
  assert(mail.otpType === "forget-password", "type", mail);
  const reset = await browser.client.emailOtp.resetPassword({ email: otpEmail, otp: mail.otp, password: "js-new-pass-1" });
  assert(reset.data?.success === true, "reset", reset);
  const signedIn = await makeBrowser().client.signIn.email({ email: otpEmail, password: "js-new-pass-1" });
  assert(!signedIn.error, "password sign-in", signedIn.error);
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
