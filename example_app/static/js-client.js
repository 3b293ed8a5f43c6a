// The JS client page (templates/js_client.html): better-auth's createAuthClient against this same server.
import { createAuthClient } from "/static/better-auth-client.js";

const client = createAuthClient({ baseURL: location.origin });
const log = document.querySelector("#js-log");
const user = document.querySelector("#js-user");

function show(action, result) {
  log.dataset.state = result.error ? "error" : "done";
  log.dataset.action = action;
  log.textContent = `${action}\n${JSON.stringify(result.error ? { error: result.error } : result.data, null, 2)}`;
}

async function refresh() {
  const result = await client.getSession();
  user.textContent = result.data ? result.data.user.email : "nobody";
  return result;
}

document.querySelector("#js-sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const result = await client.signIn.email({ email: form.get("email"), password: form.get("password") });
  await refresh();
  show("signIn.email", result);
});
document.querySelector("#js-get-session").addEventListener("click", async () => show("getSession", await refresh()));
document.querySelector("#js-list-sessions").addEventListener("click", async () => {
  show("listSessions", await client.listSessions());
});
document.querySelector("#js-sign-out").addEventListener("click", async () => {
  const result = await client.signOut();
  await refresh();
  show("signOut", result);
});

refresh().then((result) => show("getSession", result));
