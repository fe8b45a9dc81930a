"""issue 12: a roster import no longer stalls check-ins on PostgreSQL.

A check-in's foreign key check takes ``FOR KEY SHARE`` on its student's row. An ``UPDATE``
that changes a column with a unique constraint takes ``FOR UPDATE`` on the row, which
conflicts with it, so a kiosk checking in a student whose card_id (or email, username,
auth_identifier) an import changes waited for the import's whole write transaction (2.8 s
for 100,000 changed card_ids). PostgreSQL only counts a column as a key when a plain unique
index covers it: a partial one is not, and the import's ``UPDATE`` then takes
``FOR NO KEY UPDATE``, which does not block the check-in. So on PostgreSQL each of the four
unique constraints becomes a unique index ``WHERE column IS NOT NULL`` (the same rows are
unique: NULLs were never equal). SQLite is left as it is: one writer at a time, whatever
the indexes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The student columns whose unique constraints become partial unique indexes.
COLUMNS = ("username", "email_key", "auth_identifier", "card_id")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        name = f"student_{column}_key"
        op.drop_constraint(name, "student", type_="unique")
        op.create_index(
            name, "student", [column], unique=True,
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )  # fmt: skip


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        name = f"student_{column}_key"
        op.drop_index(name, "student")
        op.create_unique_constraint(name, "student", [column])
