"""The site's pages, one router per area: account (sign-up to password reset), security (sessions, API keys,
two-factor), dev (the development outbox)."""
