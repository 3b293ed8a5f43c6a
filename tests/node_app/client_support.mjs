// What the client scripts (client_plugins.mjs, client_admin.mjs) share: the server's base URL, a browser (better-auth's
// own JS client over a fetch that keeps a cookie jar and sends the Origin a browser sends), and named checks that
// end in "N passed, N failed" (exit code 1 on any failure).
import { createAuthClient } from "better-auth/client";

export const BASE = (process.env.AUTH_BASE_URL || "").replace(/\/+$/, "");
if (!BASE) {
  console.error("AUTH_BASE_URL must be set");
  process.exit(2);
}
export const ORIGIN = new URL(BASE).origin;
export const SESSION_COOKIE = "better-auth.session_token";

export function makeBrowser(plugins, { redirect = "follow" } = {}) {
  const jar = new Map();
  const fetchWithJar = async (input, init = {}) => {
    const request = new Request(input, init);
    const headers = new Headers(request.headers);
    if (jar.size) headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
    if (request.method !== "GET") headers.set("origin", ORIGIN);
    const response = await fetch(new Request(request, { headers, redirect }));
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
  const client = createAuthClient({ baseURL: BASE, fetchOptions: { customFetchImpl: fetchWithJar }, plugins });
  return { client, jar, fetch: fetchWithJar };
}

let passed = 0;
let failed = 0;
export async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}: ${error?.stack || error}`);
  }
}

export function assert(condition, message, extra) {
  if (!condition) throw new Error(`${message}${extra === undefined ? "" : ` -- ${JSON.stringify(extra)}`}`);
}

export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
