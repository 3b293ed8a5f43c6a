"""The errors a magic link's verification redirects with (`?error=`); the plugin has no codes of its own
(better-auth's magic-link plugin answers with the core's)."""

INVALID_TOKEN = "INVALID_TOKEN"
"""Unknown, used or expired link (an expired one has no code of its own)."""
NEW_USER_SIGNUP_DISABLED = "new_user_signup_disabled"
"""A link to an unknown address with `disable_sign_up` (lower-case, as better-auth spells it)."""
FAILED_TO_CREATE_USER = "failed_to_create_user"
FAILED_TO_CREATE_SESSION = "failed_to_create_session"
