"""The decision record: what was decided, within what the head approved, from which the decision
documents are issued (行政处罚法第五十七条、第五十九条). Decisions taken before are recorded from
what their decision step submitted (the step's own answers, as stored on the task row), with the
head's approval that preceded them where there was one.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 22:30:00
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["enforcement_case.id"]),
        sa.ForeignKeyConstraint(["approved_by_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decision_record_case_id", "decision_record", ["case_id"])
    _record_earlier_decisions()


KINDS = {
    "decision.penalty": "PENALTY",
    "decision.no_penalty": "NO_PENALTY",
    "summary.decision": "SUMMARY",
}
CONTENT = (
    "sanctions",
    "fine",
    "confiscation_value",
    "decided_on",
    "decision_summary",
    "reason_code",
)


def _record_earlier_decisions() -> None:
    bind = op.get_bind()
    tasks = sa.table(
        "human_task",
        sa.column("id", sa.Integer),
        sa.column("case_id", sa.Integer),
        sa.column("bpmn_id", sa.String),
        sa.column("form_key", sa.String),
        sa.column("state", sa.String),
        sa.column("completed_at", sa.DateTime(timezone=True)),
        sa.column("completed_by_id", sa.Integer),
        sa.column("submitted_data", sa.JSON),
    )
    records = sa.table(
        "decision_record",
        sa.column("case_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("decided_on", sa.Date),
        sa.column("content", sa.JSON),
        sa.column("approved_by_id", sa.Integer),
        sa.column("decided_by_id", sa.Integer),
        sa.column("task_id", sa.Integer),
        sa.column("recorded_at", sa.DateTime(timezone=True)),
    )
    done = tasks.c.state == "COMPLETED"
    decisions = bind.execute(
        sa.select(tasks).where(done, tasks.c.form_key.in_(KINDS)).order_by(tasks.c.id)
    ).mappings()
    for task in list(decisions):
        submitted = task["submitted_data"] or {}
        if not submitted.get("decided_on") or task["completed_by_id"] is None:
            continue
        approval = bind.execute(
            sa.select(tasks.c.completed_by_id)
            .where(
                done,
                tasks.c.case_id == task["case_id"],
                tasks.c.bpmn_id == "f_head_approval",
                tasks.c.id < task["id"],
            )
            .order_by(tasks.c.id.desc())
            .limit(1)
        ).scalar()
        bind.execute(
            records.insert().values(
                case_id=task["case_id"],
                kind=KINDS[task["form_key"]],
                decided_on=dt.date.fromisoformat(str(submitted["decided_on"])[:10]),
                content={name: submitted[name] for name in CONTENT if name in submitted},
                approved_by_id=approval if task["form_key"] == "decision.penalty" else None,
                decided_by_id=task["completed_by_id"],
                task_id=task["id"],
                recorded_at=task["completed_at"],
            )
        )


def downgrade() -> None:
    op.drop_index("ix_decision_record_case_id", table_name="decision_record")
    op.drop_table("decision_record")
