"""Authentication and access control.

A request carries `Authorization: Bearer <JWT>`. The token is verified against the keyring
(`keys`), checked against revocations and deactivated users (`revocation`), and becomes a
`Principal` with scopes; each route declares the scope it needs (`podops.api.auth.requires`).

    TokenError          the token is missing, malformed, forged, expired, revoked…  → 401
    InsufficientScopeError  a valid token without the scope the route needs        → 403
"""

from podops.auth.scopes import ALL_SCOPES, Scope
from podops.auth.tokens import Claims, InsufficientScopeError, Principal, TokenError

__all__ = ["ALL_SCOPES", "Claims", "InsufficientScopeError", "Principal", "Scope", "TokenError"]
