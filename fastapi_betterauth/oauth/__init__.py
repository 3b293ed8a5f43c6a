"""Social sign-in with OAuth 2.0 and OpenID Connect (in progress: the provider model is here; the flow comes next)."""
