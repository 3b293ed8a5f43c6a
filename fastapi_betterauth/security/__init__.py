"""Request checks: trusted origins and URLs, client IP."""
