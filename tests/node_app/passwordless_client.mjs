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
import { emailOTPClient, magicLinkClient } from "better-auth/client/plugins";
import { ORIGIN, SESSION_COOKIE, assert, check, finish, makeBrowser as makeAnyBrowser } from "./client_support.mjs";

const OUTBOX = process.env.OUTBOX || "";
if (!OUTBOX) {
  console.error("OUTBOX must be set");
  process.exit(2);
}

function makeBrowser() {
  // Redirects are not followed: the tests read where a followed link sends the browser.
  return makeAnyBrowser([magicLinkClient(), emailOTPClient()], { redirect: "manual" });
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

finish();
