"""The audit trail of the department's figures: signed, hash-chained snapshots.

A snapshot freezes a certification (``reports.certify``) as canonical JSON
(``canonical``), chained to the one before by sha256 and signed; ``verify``
re-checks the hash, the chain and today's data; ``pdf`` prints one. The registry's
own change log (who changed which vendor or market) is ``registry.audit``.
"""

from market40.audit.snapshots import create_snapshot, get_snapshot, snapshot_body, snapshots_query
from market40.audit.verify import Verification, verify_snapshot

__all__ = [
    "Verification",
    "create_snapshot",
    "get_snapshot",
    "snapshot_body",
    "snapshots_query",
    "verify_snapshot",
]
