"""The signed-in user's own account: profile updates (later: change email, delete account)."""
