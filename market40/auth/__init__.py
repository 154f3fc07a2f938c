"""Who is calling (tokens) and what they may do (the policy table)."""

from market40.auth.access import caller
from market40.auth.identity import current_user, load_request_user
from market40.auth.policy import PERMISSIONS, authorize, can, scope_markets
from market40.auth.tokens import create_user, hash_token, issue_token, revoke_tokens

__all__ = [
    "PERMISSIONS",
    "authorize",
    "caller",
    "can",
    "create_user",
    "current_user",
    "hash_token",
    "issue_token",
    "load_request_user",
    "revoke_tokens",
    "scope_markets",
]
