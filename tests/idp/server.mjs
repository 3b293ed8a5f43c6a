// A real OpenID Connect provider for the OAuth tests: panva's `oidc-provider` (pinned in package.json), on
// 127.0.0.1, with the quick-start in-memory adapter, development signing key (RS256) and devInteractions (plain
// HTML login/consent forms that any login/password passes). Test use only: nothing here is fit for production.
//
// The test fixture (tests/idp_fixture.py) copies this file next to a cached `node_modules` and runs `node server.mjs`.
//
// Environment:
//   PORT          port to listen on (127.0.0.1 only); 0 lets the OS pick a free one (the first stdout line
//                 reads `oidc-provider listening on <issuer> (127.0.0.1:<port>, ...)`); required
//   ISSUER        issuer identifier; default http://127.0.0.1:<port>
//   CLIENTS       JSON list of {client_id, client_secret, redirect_uris, auto_consent?, token_endpoint_auth_method?};
//                 confidential web clients (authorization_code + refresh_token, response_type code). Without
//                 token_endpoint_auth_method a client is registered as client_secret_basic, and oidc-provider then
//                 accepts client_secret_post from it as well (it treats the two as interchangeable). A client that
//                 names its method ("client_secret_basic" or "client_secret_post") gets that method only: the token
//                 endpoint refuses the other one with 401 invalid_client, as a strict provider does.
//   AUTO_CONSENT  "1": no consent screen for any client (see loadExistingGrant below), so after the login form a
//                 login completes; a client with "auto_consent": true gets the same on its own
//
// Accounts: any login works; findAccount gives sub = <login>, email = <login>@example.test, name "User <login>",
// and email_verified true unless the login starts with "unverified"; a login starting with "huge" gets a 20000
// character name.
//
// Refresh tokens. oidc-provider's default `issueRefreshToken` issues one only when the client may use the
// refresh_token grant AND the granted scopes include `offline_access`; and it drops `offline_access` from an
// authorization request unless that request also has `prompt=consent` (OIDC Core 11) and the client allows
// refresh_token. Then the default `rotateRefreshToken` rotates only for public clients or after 70% of the TTL.
// A login through a typical relying party (scope "openid email profile", no prompt) would therefore get no refresh
// token. Here `issueRefreshToken` returns true whenever the client may use the refresh_token grant (like Google's or
// GitHub's behaviour seen by most apps), and every refresh rotates the refresh token (the old one is consumed;
// presenting it again is invalid_grant and, by oidc-provider's reuse detection, revokes the grant).
// `offline_access` with `prompt=consent` keeps working too (it is in `scopes`).

import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const port = Number.parseInt(process.env.PORT ?? '', 10);
if (!Number.isInteger(port) || port < 0) {
  console.error('server.mjs: PORT must be set to a port number (0: any free port)');
  process.exit(2);
}
const autoConsentAll = process.env.AUTO_CONSENT === '1';

const configuredClients = JSON.parse(process.env.CLIENTS || '[]');
const autoConsentClients = new Set(
  configuredClients.filter((client) => client.auto_consent).map((client) => client.client_id),
);
const clients = configuredClients.map(({ client_id, client_secret, redirect_uris, token_endpoint_auth_method }) => ({
  client_id,
  client_secret,
  redirect_uris,
  response_types: ['code'],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: token_endpoint_auth_method ?? 'client_secret_basic',
}));
// client_id -> the only token-endpoint authentication method it may use
const strictMethods = new Map(
  configuredClients
    .filter((client) => client.token_endpoint_auth_method)
    .map((client) => [client.client_id, client.token_endpoint_auth_method]),
);

// How a token request authenticates the client: a Basic Authorization header, or client_secret in the form body.
function presentedAuth(authorization, form) {
  if (/^basic /i.test(authorization ?? '')) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const clientId = decodeURIComponent(decoded.slice(0, decoded.indexOf(':')).replace(/\+/g, ' '));
    return { clientId, method: 'client_secret_basic' };
  }
  const method = form.get('client_secret') ? 'client_secret_post' : 'none';
  return { clientId: form.get('client_id'), method };
}

// Refuse a token request from a strict client that authenticates with another method than its registered one.
// The body is read here and handed on as req.body, which oidc-provider takes when the stream is already consumed.
async function enforceTokenEndpointAuth(ctx, next) {
  if (ctx.method !== 'POST' || ctx.path !== '/token' || strictMethods.size === 0) return next();
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  const raw = Buffer.concat(chunks).toString('utf8');
  ctx.req.body = raw;
  const { clientId, method } = presentedAuth(ctx.headers.authorization, new URLSearchParams(raw));
  const required = strictMethods.get(clientId);
  if (required && required !== method) {
    ctx.status = 401;
    ctx.body = {
      error: 'invalid_client',
      error_description: `client ${clientId} must authenticate with ${required}, not ${method}`,
    };
    return undefined;
  }
  return next();
}

// Scopes and claims a grant made without a consent screen covers: whatever this request asks for.
async function grantEverythingRequested(ctx, grant) {
  const scopes = [...ctx.oidc.requestParamOIDCScopes];
  if (scopes.length) grant.addOIDCScope(scopes.join(' '));
  const claims = [...ctx.oidc.requestParamClaims];
  if (claims.length) grant.addOIDCClaims(claims);
  await grant.save();
  return grant;
}

const configuration = {
  clients,
  pkce: { required: () => true }, // S256 only (oidc-provider's only supported method)
  features: {
    devInteractions: { enabled: true },
    // Put the scope claims (email, email_verified, name) in the ID token as well as at userinfo, as Google does;
    // with the default (true) an ID token issued next to an access token carries only sub and protocol claims.
    userinfo: { enabled: true },
    revocation: { enabled: true },
  },
  conformIdTokenClaims: false,
  scopes: ['openid', 'offline_access', 'email', 'profile'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  cookies: { keys: ['test-only-oidc-provider-cookie-key-0123456789'] },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@example.test`,
          email_verified: !id.startsWith('unverified'),
          // "huge…" logins have a name of 20000 characters: a profile too large for any cookie.
          name: id.startsWith('huge') ? `User ${id} ${'x'.repeat(20000)}` : `User ${id}`,
        };
      },
    };
  },
  async issueRefreshToken(_ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  rotateRefreshToken: true,
  async loadExistingGrant(ctx) {
    const { provider, client, session } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    const existing = grantId ? await provider.Grant.find(grantId) : undefined;
    if (!(autoConsentAll || autoConsentClients.has(client.clientId))) return existing;
    // Auto consent: grant what is asked, so the consent prompt never has anything missing to show.
    // (An explicit prompt=consent in the request still shows the screen.)
    const grant = existing ?? new provider.Grant({ accountId: session.accountId, clientId: client.clientId });
    return grantEverythingRequested(ctx, grant);
  },
  ttl: {
    AccessToken: 300,
    AuthorizationCode: 60,
    IdToken: 300,
    RefreshToken: 3600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
};

// Bind first, so that with PORT=0 the issuer can name the port the OS picked; the provider's request handler is
// attached in the 'listening' callback, before any connection can be served.
const server = createServer();
server.listen(port, '127.0.0.1', () => {
  const actualPort = server.address().port;
  const issuer = process.env.ISSUER || `http://127.0.0.1:${actualPort}`;
  const provider = new Provider(issuer, configuration);
  provider.use(enforceTokenEndpointAuth);
  server.on('request', provider.callback());
  console.log(`oidc-provider listening on ${issuer} (127.0.0.1:${actualPort}, ${clients.length} client(s))`);
});

function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
