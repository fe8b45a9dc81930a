"""issue 14: each student keeps the fingerprint of the file row last imported for them.

A re-import with few rows changed spent most of its time staging and planning the rows that
change nothing. With ``row_fingerprint`` (8 bytes of BLAKE2b over the row's cells, written
by the import that created, changed or confirmed the student, cleared when a sync archives
the student) the import stages such a row in a few columns only and leaves it out of the
plan: the same row again on the same stored student changes nothing. A NULL fingerprint
(every student after this upgrade) only means the row is planned in full; the next import
stores it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("student", sa.Column("row_fingerprint", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("student") as batch:
        batch.drop_column("row_fingerprint")
