"""Public 典型案例 text: what the public page shows and the public search reads, masked when
published (ID-card, telephone, card and account numbers, e-mail, credit codes, addresses below
the county, introduced names, short forms of the party's name) and confirmed by the publisher.

Entries already published keep their page: their public text is masked here with the same rules
and what the case's records know (the party as registered, its representative, address, credit
code and the officers named on the case), so nothing they showed before stays public unmasked.

Revision ID: 0037
Revises: 0035
Create Date: 2026-12-08 03:30:00
"""

import re

import sqlalchemy as sa
from alembic import op

from app.platform.anonymize import PartyIdentity, anonymize, text_digest

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_library_entry") as table:
        table.add_column(sa.Column("public_violation_type", sa.String(length=100), nullable=True))
        table.add_column(sa.Column("public_summary", sa.Text(), nullable=True))
        table.add_column(sa.Column("public_decision", sa.Text(), nullable=True))
        table.add_column(sa.Column("public_digest", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    published = connection.execute(
        sa.text(
            "SELECT e.id, e.case_id, e.violation_type, e.summary, e.anonymized_decision,"
            " p.name, p.credit_code, p.address, p.legal_representative, p.party_type"
            " FROM case_library_entry e JOIN enforcement_case c ON c.id = e.case_id"
            " JOIN enterprise p ON p.id = c.enterprise_id WHERE e.published_at IS NOT NULL"
        )
    ).all()
    for row in published:
        officers = [
            name
            for shown in connection.execute(
                sa.text("SELECT display_name FROM case_officer WHERE case_id = :case"),
                {"case": row.case_id},
            ).scalars()
            # an account's name may carry its unit (王执法（呼和浩特）); texts name the person
            for name in (shown, re.sub(r"（[^（）]*）$", "", shown))
        ]
        party = PartyIdentity(
            names=(row.name,),
            credit_code=row.credit_code or "",
            address=row.address or "",
            legal_representative=row.legal_representative or "",
            natural_person=row.party_type == "NATURAL",
            people=tuple(officers),
        )
        texts = (
            anonymize(row.violation_type, party),
            anonymize(row.summary, party) if row.summary else None,
            anonymize(row.anonymized_decision, party) if row.anonymized_decision else None,
        )
        connection.execute(
            sa.text(
                "UPDATE case_library_entry SET public_violation_type = :type,"
                " public_summary = :summary, public_decision = :decision, public_digest = :digest"
                " WHERE id = :id"
            ),
            {
                "type": texts[0],
                "summary": texts[1],
                "decision": texts[2],
                "digest": text_digest(*texts),
                "id": row.id,
            },
        )


def downgrade() -> None:
    with op.batch_alter_table("case_library_entry") as table:
        for column in (
            "public_digest",
            "public_decision",
            "public_summary",
            "public_violation_type",
        ):
            table.drop_column(column)
