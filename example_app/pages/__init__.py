"""The site's pages, one router per area: account (sign-up to password reset), security (sessions, API keys),
two_factor (its setup), js_client (better-auth's JS client), dev (the development outbox)."""
