"""Workflow instances moved to a new process version before this fix kept the old version id
(only the case's was changed): set it from the case. `tijian verify` now checks the two agree.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 16:50:00
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE workflow_instance SET process_version_id = ("
        " SELECT enforcement_case.process_version_id FROM enforcement_case"
        " WHERE enforcement_case.id = workflow_instance.case_id)"
        " WHERE process_version_id <> ("
        " SELECT enforcement_case.process_version_id FROM enforcement_case"
        " WHERE enforcement_case.id = workflow_instance.case_id)"
    )


def downgrade() -> None:
    pass  # the corrected ids are right for the old code too
