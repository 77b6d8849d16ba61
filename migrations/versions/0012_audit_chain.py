"""audit hash chain

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 17:00:00

Chains the entries written so far in id order (the append-only triggers are lifted for that
one backfill and put back), then requires the chain columns on every entry.
"""

import sqlalchemy as sa
from alembic import op

from app.audit_chain import GENESIS, entry_hash
from app.models.base import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CHAIN = "audit_chain"
INDEXED = ("actor_name", "action", "region_code")  # the audit viewer's filters
SQLITE_TRIGGERS = {
    "audit_event_no_update": """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    "audit_event_no_delete": """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
}

events = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("seq", SEQ),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
    sa.column("occurred_at", UTCDateTime()),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_name", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("region_code", sa.String),
    sa.column("remote_addr", sa.String),
    sa.column("detail", sa.JSON),
)


def _lift_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")


def _restore_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update")
    else:
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    for name, kind in (("seq", SEQ), ("prev_hash", sa.String(64)), ("hash", sa.String(64))):
        op.add_column("audit_event", sa.Column(name, kind, nullable=True))
    _lift_triggers(dialect)
    previous, seq = GENESIS, 0
    rows = bind.execute(sa.select(events).order_by(events.c.id)).mappings().all()
    for row in rows:
        seq += 1
        digest = entry_hash(
            seq,
            previous,
            row["occurred_at"],
            row["actor_id"],
            row["actor_name"],
            row["action"],
            row["object_type"],
            row["object_id"],
            row["region_code"],
            row["remote_addr"],
            row["detail"],
        )
        bind.execute(
            events.update()
            .where(events.c.id == row["id"])
            .values(seq=seq, prev_hash=previous, hash=digest)
        )
        previous = digest
    # SQLite rebuilds the table for NOT NULL, which drops its triggers: they come back after.
    with op.batch_alter_table("audit_event") as batch:
        for name, kind in (("seq", SEQ), ("prev_hash", sa.String(64)), ("hash", sa.String(64))):
            batch.alter_column(name, existing_type=kind, nullable=False)
        batch.create_unique_constraint("uq_audit_event_seq", ["seq"])
    _restore_triggers(dialect)
    for column in INDEXED:
        op.create_index(f"ix_audit_event_{column}_seq", "audit_event", [column, "seq"])
    sequences = sa.table("number_sequence", sa.column("name", sa.String), sa.column("value"))
    op.bulk_insert(sequences, [{"name": CHAIN, "value": seq}])


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for column in INDEXED:
        op.drop_index(f"ix_audit_event_{column}_seq", "audit_event")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_constraint("uq_audit_event_seq", type_="unique")
        for name in ("hash", "prev_hash", "seq"):
            batch.drop_column(name)
    if dialect == "sqlite":  # the rebuilt table lost its triggers
        _restore_triggers(dialect)
    op.execute(sa.text("DELETE FROM number_sequence WHERE name = :name").bindparams(name=CHAIN))
