"""Attribution of API tokens (issue 31 item 4): integration accounts, a token's creator and expiry,
and the token an audit entry was made with.

Existing tokens expire API_TOKEN_LIFETIME_DAYS' default (90 days) after this upgrade, not after
their creation: no other system's access stops without notice on the day of the upgrade, and
their owners see the date on the tokens screen. Their creator is taken from the audit trail: a
token an admin issued on the tokens screen (`create_token` followed by that admin's
`issue_token`) names that admin; the others were made on the command line (NULL, "cli").
Entries written before keep their hashes (app/audit_chain.py hashes entries without a token as
before).

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-08 03:30:00
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from app.clock import utcnow
from app.models.base import UTCDateTime

revision = "0036"
# 0035 is another helper's (issue 31); alone on main this applies after 0034. The lead sets
# "0035" at merge.
down_revision = "0035"
branch_labels = None
depends_on = None

LIFETIME = timedelta(days=90)
CREATOR_FK = "fk_api_token_created_by_id_app_user"

tokens = sa.table(
    "api_token",
    sa.column("id", sa.Integer),
    sa.column("prefix", sa.String),
    sa.column("created_by_id", sa.Integer),
    sa.column("expires_at", UTCDateTime()),
)
events = sa.table(
    "audit_event",
    sa.column("seq", sa.Integer),
    sa.column("action", sa.String),
    sa.column("actor_id", sa.Integer),
    sa.column("detail", sa.JSON),
)


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(
            sa.Column("is_integration", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
        batch.create_foreign_key(CREATOR_FK, "app_user", ["created_by_id"], ["id"])
    bind.execute(tokens.update().values(expires_at=utcnow() + LIFETIME))
    for token_id, admin_id in _issued_by_admins(bind):
        bind.execute(tokens.update().where(tokens.c.id == token_id).values(created_by_id=admin_id))
    with op.batch_alter_table("api_token") as batch:
        batch.alter_column("expires_at", existing_type=UTCDateTime(), nullable=False)
    # plain ADD COLUMNs: the audit table keeps its append-only triggers (SQLite would drop them
    # with a batch rebuild)
    op.add_column("audit_event", sa.Column("token_id", sa.Integer(), nullable=True))
    op.add_column("audit_event", sa.Column("token_creator", sa.String(length=64), nullable=True))


def _issued_by_admins(bind: sa.Connection) -> list[tuple[int, int]]:
    """(token id, admin id) for every token the tokens screen issued: its `create_token` entry
    (detail.token_prefix) is directly followed by the admin's `issue_token`."""
    by_prefix = dict(bind.execute(sa.select(tokens.c.prefix, tokens.c.id)).all())
    rows = bind.execute(
        sa.select(events.c.action, events.c.actor_id, events.c.detail)
        .where(events.c.action.in_(("create_token", "issue_token")))
        .order_by(events.c.seq)
    ).all()
    found = []
    for (action, _, detail), (next_action, admin_id, _) in zip(rows, rows[1:], strict=False):
        prefix = (detail or {}).get("token_prefix")
        if action == "create_token" and next_action == "issue_token" and prefix in by_prefix:
            found.append((by_prefix[prefix], admin_id))
    return found


def downgrade() -> None:
    op.drop_column("audit_event", "token_creator")
    op.drop_column("audit_event", "token_id")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_constraint(CREATOR_FK, type_="foreignkey")
        batch.drop_column("expires_at")
        batch.drop_column("created_by_id")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("is_integration")
