"""Request checks: trusted origins and URLs, client IP, rate limits; and how requests authenticate, for OpenAPI."""
