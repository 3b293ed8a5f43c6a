"""Social sign-in with OAuth 2.0 and OpenID Connect: providers, the flow, linked accounts and provider tokens."""
