"""The audit trail's hash chain: each entry's hash covers its content and the previous hash, so
changing, removing or inserting an entry anywhere breaks every hash after it.

A pure function of the stored values, shared by the service that writes entries, the
migration that chained the entries written before it, and `tijian verify-audit`. Changing it
breaks every existing chain: it is versioned by its name. An entry made with an API token is
hashed as v2, which adds the token's id and creator; every other entry (all those written before
tokens were recorded among them) is hashed as v1, byte for byte as before.
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
    token_id: int | None = None,
    token_creator: str | None = None,
) -> str:
    """SHA-256 over a canonical JSON of the entry (sorted keys, UTC microseconds)."""
    moment = occurred_at if occurred_at.tzinfo else occurred_at.replace(tzinfo=UTC)
    with_token = token_id is not None or token_creator is not None
    canonical = json.dumps(
        [
            "tijian-audit-v2" if with_token else "tijian-audit-v1",
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
            *((token_id, token_creator) if with_token else ()),
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
