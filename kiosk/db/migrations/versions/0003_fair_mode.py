"""fair mode: idempotent check-ins, duplicates settled on sync, walk-ins once, roster version

- ``check_in.client_key``: the idempotency key each kiosk gives a check-in (unique), so a
  check-in sent again after a network drop is stored once;
- ``check_in.duplicate_of``: a later check-in of a student already checked in at another
  kiosk while the two could not see each other (kept, never counted);
- ``check_in.walk_in_key``: a walk-in's lower-cased email, unique among the event's live
  check-ins;
- the live-student index now leaves duplicates out;
- ``roster_version``: bumped by each import that changes the roster.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_LIVE = "undone_at IS NULL AND student_id IS NOT NULL"
LIVE = "undone_at IS NULL AND duplicate_of IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_key", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("walk_in_key", sa.Text(), nullable=True))
        batch_op.create_unique_constraint("uq_check_in_client_key", ["client_key"])
        batch_op.create_foreign_key(
            "fk_check_in_duplicate_of", "check_in", ["duplicate_of"], ["id"]
        )
        batch_op.drop_index(
            "uq_check_in_live_student",
            sqlite_where=sa.text(OLD_LIVE),
            postgresql_where=sa.text(OLD_LIVE),
        )
        batch_op.create_index(
            "uq_check_in_live_student",
            ["event_id", "student_id"],
            unique=True,
            sqlite_where=sa.text(f"{LIVE} AND student_id IS NOT NULL"),
            postgresql_where=sa.text(f"{LIVE} AND student_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_check_in_live_walk_in",
            ["event_id", "walk_in_key"],
            unique=True,
            sqlite_where=sa.text(f"{LIVE} AND walk_in_key IS NOT NULL"),
            postgresql_where=sa.text(f"{LIVE} AND walk_in_key IS NOT NULL"),
        )
    op.create_table(
        "roster_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", kiosk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("roster_version")
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_check_in_live_walk_in",
            sqlite_where=sa.text(f"{LIVE} AND walk_in_key IS NOT NULL"),
            postgresql_where=sa.text(f"{LIVE} AND walk_in_key IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_check_in_live_student",
            sqlite_where=sa.text(f"{LIVE} AND student_id IS NOT NULL"),
            postgresql_where=sa.text(f"{LIVE} AND student_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_check_in_live_student",
            ["event_id", "student_id"],
            unique=True,
            sqlite_where=sa.text(OLD_LIVE),
            postgresql_where=sa.text(OLD_LIVE),
        )
        batch_op.drop_constraint("fk_check_in_duplicate_of", type_="foreignkey")
        batch_op.drop_constraint("uq_check_in_client_key", type_="unique")
        batch_op.drop_column("walk_in_key")
        batch_op.drop_column("duplicate_of")
        batch_op.drop_column("client_key")
