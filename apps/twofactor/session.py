"""Session keys of the sign-in's second factor, shared by the panel's sign-in, its pages and the admin guard."""

# Whether this session's sign-in passed a second factor (or turned it on).
SESSION_TWO_FACTOR_VERIFIED = "paneel_two_factor_verified"
# Who passed the password step and waits for the code step (not signed in yet).
SESSION_PENDING_SIGN_IN = "paneel_pending_sign_in"
