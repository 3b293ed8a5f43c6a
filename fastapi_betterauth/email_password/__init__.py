"""Email and password sign-up and sign-in."""
