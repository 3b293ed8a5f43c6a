"""API keys (better-auth's api-key plugin): hashed, expiring, metered and rate-limited keys with permissions, their
`/api-key/*` routes, and the `api_key(...)` provider for machine clients."""
