"""The audit trail's hash chain: each entry's hash covers its content and the previous hash, so
changing, removing or inserting an entry anywhere breaks every hash after it.

A pure function of the stored values, shared by the service that writes entries, the
migration that chained the entries written before it, and `tijian verify-audit`. Changing it
breaks every existing chain: it is versioned by its name.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def entry_hash(
    seq: int,
    prev_hash: str,
    occurred_at: datetime,
    actor_id: int | None,
    actor_name: str | None,
    action: str,
    object_type: str,
    object_id: str | None,
    region_code: str | None,
    remote_addr: str | None,
    detail: Any,
) -> str:
    """SHA-256 over a canonical JSON of the entry (sorted keys, UTC microseconds)."""
    moment = occurred_at if occurred_at.tzinfo else occurred_at.replace(tzinfo=UTC)
    canonical = json.dumps(
        [
            "tijian-audit-v1",
            seq,
            prev_hash,
            moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            actor_id,
            actor_name,
            action,
            object_type,
            object_id,
            region_code,
            remote_addr,
            detail,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
