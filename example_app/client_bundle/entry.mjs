// better-auth's own browser client and the client plugins of the server plugins fastapi-betterauth implements, as
// one ES module for pages that cannot run a bundler (the example site, the browser tests).
export { createAuthClient } from "better-auth/client";
export {
  adminClient,
  emailOTPClient,
  jwtClient,
  magicLinkClient,
  organizationClient,
  twoFactorClient,
  usernameClient,
} from "better-auth/client/plugins";
export { apiKeyClient } from "@better-auth/api-key/client";
export { passkeyClient } from "@better-auth/passkey/client";
