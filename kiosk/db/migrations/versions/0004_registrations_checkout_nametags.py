"""issue 16: registrations, registered-only events, check-out, name tags, manual check-in by

- ``registration``: an event's registrants imported from Handshake's CSV, one row per event
  and lower-cased email (``email_key``), matched to a roster student when one has that email;
- ``event.registered_only``: only registered students may check in (12twenty's "closed" mode);
- ``event.checkout_after_minutes``: a second swipe that long after check-in checks the student
  out (null: check-out off);
- ``event.nametag_label``: the label size name tags are printed on (null: name tags off);
- ``check_in.checked_out_at``: when the student checked out (null: not checked out);
- ``check_in.checked_in_by``: who did a manual check-in from staff mode (null otherwise).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("email_key", sa.Text(), nullable=False),
        sa.Column("email_address", sa.Text(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", kiosk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"]),
        sa.ForeignKeyConstraint(["student_id"], ["student.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "email_key", name="uq_registration_event_email"),
    )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registration_student_id"), ["student_id"], unique=False
        )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "registered_only", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(sa.Column("checkout_after_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("nametag_label", sa.Text(), nullable=True))
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "checked_out_at", kiosk.db.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("checked_in_by", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.drop_column("checked_in_by")
        batch_op.drop_column("checked_out_at")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("nametag_label")
        batch_op.drop_column("checkout_after_minutes")
        batch_op.drop_column("registered_only")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_student_id"))
    op.drop_table("registration")
