"""Single-use, hashed, short-lived tokens in the `verification` table (email links; later OAuth state)."""
