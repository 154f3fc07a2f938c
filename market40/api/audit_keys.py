"""The public key that verifies audit snapshots: anyone may check a snapshot they hold."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.schemas.snapshots import PublicKeySchema
from market40.audit.signing import public_keys
from market40.audit.snapshots import chain_head
from market40.extensions import db

blp = Blueprint(
    "audit_keys",
    __name__,
    url_prefix="/api/v1/audit",
    description="The Ed25519 public keys that sign audit snapshots",
)


@blp.route("/public-key")
class PublicKey(MethodView):
    @blp.response(200, PublicKeySchema)
    def get(self) -> dict[str, Any]:
        """The current snapshot signing key (Ed25519), every retired key, and the chain head."""
        keys = public_keys()
        current = next(k for k in keys.values() if k.current)
        head = chain_head(db.session)
        return {
            "key_id": current.key_id,
            "current": True,
            "raw_base64": current.raw_base64,
            "pem": current.pem,
            "keys": sorted(keys.values(), key=lambda k: (not k.current, k.key_id)),
            "chain_head": {"id": head[0], "sha256": head[1]} if head else None,
        }
