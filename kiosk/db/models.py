"""The kiosk's tables (SQLModel). Every schema change gets an Alembic migration.

Values from the Handshake CSV are stored as text exactly as written (card_id keeps its
leading zeros); the roster importer owns their validation.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
    and_,
    false,
    text,
)
from sqlmodel import Field, SQLModel, col

from kiosk.db.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(nullable: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable)


#: ``info`` key of a constraint or index made on one database engine only (DDL and the
#: migrations-match-the-models check skip it on the other: kiosk.db.migrate.include_object).
ONLY_ON = "only_on"


def _roster_key(column: str) -> tuple[UniqueConstraint, Index]:
    """A student column no two students share. SQLite: a unique constraint. PostgreSQL
    (migration 0005): a unique index ``WHERE column IS NOT NULL``, the same rule; being
    partial, PostgreSQL does not count the column as a key, so a roster import changing it
    takes ``FOR NO KEY UPDATE`` on the row, and a kiosk's check-in of that student (its
    foreign key check takes ``FOR KEY SHARE``) does not wait for the import to commit."""
    where = text(f"{column} IS NOT NULL")
    constraint = UniqueConstraint(column, info={ONLY_ON: "sqlite"}).ddl_if(dialect="sqlite")
    index = Index(
        f"student_{column}_key", column, unique=True, postgresql_where=where,
        info={ONLY_ON: "postgresql"},
    ).ddl_if(dialect="postgresql")  # fmt: skip
    return constraint, index


#: Table options of a table whose ids are named outside the database (a kiosk set up with
#: ``--event 7``, an undo or reprint from a screen's list, ``check_in=N`` in the audit log)
#: and whose rows are deleted: SQLite's ``AUTOINCREMENT``, so that it never hands a deleted
#: row's id to a new row (without it, the highest id comes back after the newest row is
#: deleted). PostgreSQL's sequences never reuse ids anyway. Migration 0006 rebuilds the tables
#: of older SQLite databases with it.
NEVER_REUSED_IDS = {"sqlite_autoincrement": True}


class Student(SQLModel, table=True):
    """One student from the Handshake Student CSV. Never deleted: archived instead."""

    __tablename__ = "student"

    # username, email_key, auth_identifier and card_id are unique: see _roster_key.
    __table_args__ = tuple(
        item
        for column in ("username", "email_key", "auth_identifier", "card_id")
        for item in _roster_key(column)
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(Text, nullable=False))
    email_address: str = Field(sa_column=Column(Text, nullable=False))
    # Lower-cased email: emails compare case-insensitively, so uniqueness is on this.
    email_key: str = Field(sa_column=Column(Text, nullable=False))
    auth_identifier: str | None = Field(default=None, sa_column=Column(Text))
    card_id: str | None = Field(default=None, sa_column=Column(Text))
    first_name: str = Field(sa_column=Column(Text, nullable=False))
    last_name: str | None = Field(default=None, sa_column=Column(Text))
    middle_name: str | None = Field(default=None, sa_column=Column(Text))
    preferred_name: str | None = Field(default=None, sa_column=Column(Text))
    additional_email_addresses: str | None = Field(default=None, sa_column=Column(Text))
    school_year_name: str | None = Field(default=None, sa_column=Column(Text))
    cumulative_gpa: str | None = Field(default=None, sa_column=Column(Text))
    department_gpa: str | None = Field(default=None, sa_column=Column(Text))
    major_names: str | None = Field(default=None, sa_column=Column(Text))
    primary_major_name: str | None = Field(default=None, sa_column=Column(Text))
    minor_names: str | None = Field(default=None, sa_column=Column(Text))
    education_level_name: str | None = Field(default=None, sa_column=Column(Text))
    college_names: str | None = Field(default=None, sa_column=Column(Text))
    primary_college_name: str | None = Field(default=None, sa_column=Column(Text))
    start_date: str | None = Field(default=None, sa_column=Column(Text))
    end_date: str | None = Field(default=None, sa_column=Column(Text))
    currently_attending: str | None = Field(default=None, sa_column=Column(Text))
    campus_name: str | None = Field(default=None, sa_column=Column(Text))
    ethnicity: str | None = Field(default=None, sa_column=Column(Text))
    gender: str | None = Field(default=None, sa_column=Column(Text))
    work_study_eligible: str | None = Field(default=None, sa_column=Column(Text))
    athlete: str | None = Field(default=None, sa_column=Column(Text))
    first_generation: str | None = Field(default=None, sa_column=Column(Text))
    veteran: str | None = Field(default=None, sa_column=Column(Text))
    eu_gdpr_subject: str | None = Field(default=None, sa_column=Column(Text))
    disabled: str | None = Field(default=None, sa_column=Column(Text))
    system_label_names: str | None = Field(default=None, sa_column=Column(Text))
    mobile_number: str | None = Field(default=None, sa_column=Column(Text))
    assigned_to_email_address: str | None = Field(default=None, sa_column=Column(Text))
    hometown_location: str | None = Field(default=None, sa_column=Column(Text))
    archived: bool = Field(default=False, nullable=False)
    archived_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # The fingerprint of the file row the last import applied to this student (migration
    # 0007): a re-import leaves the same row on the same student out of its plan.
    row_fingerprint: bytes | None = Field(default=None, sa_column=Column(LargeBinary))


class Event(SQLModel, table=True):
    """An event, career fair session or appointment block that students check in to."""

    __tablename__ = "event"
    # SQLite: a deleted event's id is never given to a new one (migration 0006)
    __table_args__ = NEVER_REUSED_IDS

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    date: str | None = Field(default=None, sa_column=Column(Text))  # yyyy-mm-dd
    kind: str = Field(default="event", sa_column=Column(Text, nullable=False))
    handshake_id: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # Only registered students may check in (walk-ins are sent to a staff member).
    registered_only: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    # A second swipe this many minutes after check-in checks out; None: check-out off.
    checkout_after_minutes: int | None = Field(default=None, sa_column=Column(Integer))
    # The label name tags are printed on ("30252", "30256", "4x2.3"); None: name tags off.
    nametag_label: str | None = Field(default=None, sa_column=Column(Text))


class WalkIn(SQLModel, table=True):
    """Someone whose card was not in the roster, registered at the kiosk for reconciliation."""

    __tablename__ = "walk_in"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    email_address: str | None = Field(default=None, sa_column=Column(Text))
    card_id: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


#: A check-in that counts (in live counts, "already checked in" and the Handshake export): not
#: undone, and not a duplicate settled when an offline kiosk's queue was sent. The one
#: definition, as SQL for the partial unique indexes and as a clause (``CheckIn.live()``).
LIVE_CHECK_IN_SQL = "undone_at IS NULL AND duplicate_of IS NULL"


def _live_unique(name: str, who: str) -> Index:
    """At most one live check-in per event and ``who`` (when ``who`` is set)."""
    where = text(f"{LIVE_CHECK_IN_SQL} AND {who} IS NOT NULL")
    return Index(name, "event_id", who, unique=True, sqlite_where=where, postgresql_where=where)


class CheckIn(SQLModel, table=True):
    """One check-in. Undo sets ``undone_at``: the row, and so the history, stays.

    ``client_key`` is the idempotency key the kiosk gave it (a check-in sent twice, as after a
    network drop, is stored once); ``duplicate_of`` marks a later check-in of a student who
    was checked in earlier at another kiosk while the two could not see each other (kept for
    the full export, never counted); ``walk_in_key`` is a walk-in's lower-cased email, so a
    walk-in is checked in once per event however many kiosks register them at once.
    """

    __tablename__ = "check_in"
    __table_args__ = (
        # At most one live check-in per student per event, and per walk-in email per event,
        # even with several kiosks sharing a PostgreSQL database.
        _live_unique("uq_check_in_live_student", "student_id"),
        _live_unique("uq_check_in_live_walk_in", "walk_in_key"),
        NEVER_REUSED_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", nullable=False, index=True)
    student_id: int | None = Field(default=None, foreign_key="student.id", index=True)
    walk_in_id: int | None = Field(default=None, foreign_key="walk_in.id")
    method: str = Field(sa_column=Column(Text, nullable=False))  # swipe | manual | walk-in
    card_id: str | None = Field(default=None, sa_column=Column(Text))
    rule: str | None = Field(default=None, sa_column=Column(Text))
    reader: str | None = Field(default=None, sa_column=Column(Text))
    kiosk_id: str | None = Field(default=None, sa_column=Column(Text))
    note: str | None = Field(default=None, sa_column=Column(Text))
    checked_in_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    undone_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    undone_by: str | None = Field(default=None, sa_column=Column(Text))
    client_key: str | None = Field(default=None, sa_column=Column(Text, unique=True))
    duplicate_of: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("check_in.id"), nullable=True)
    )
    walk_in_key: str | None = Field(default=None, sa_column=Column(Text))
    checked_out_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    checked_in_by: str | None = Field(default=None, sa_column=Column(Text))  # manual: who

    @classmethod
    def live(cls) -> ColumnElement[bool]:
        """The WHERE clause of a live check-in (``LIVE_CHECK_IN_SQL``)."""
        return and_(col(cls.undone_at).is_(None), col(cls.duplicate_of).is_(None))


class Registration(SQLModel, table=True):
    """One registrant of an event, from the CSV Handshake exports for its registrations.

    ``email_key`` is the lower-cased email (one row per event and email); ``student_id`` is
    the roster student with that email when there is one (None: not in the roster).
    """

    __tablename__ = "registration"
    __table_args__ = (
        UniqueConstraint("event_id", "email_key", name="uq_registration_event_email"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=Column(Integer, ForeignKey("event.id"), nullable=False))
    email_key: str = Field(sa_column=Column(Text, nullable=False))
    email_address: str = Field(sa_column=Column(Text, nullable=False))
    student_id: int | None = Field(default=None, foreign_key="student.id", index=True)
    registered_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    source: str | None = Field(default=None, sa_column=Column(Text))  # the CSV's file name


class RosterVersion(SQLModel, table=True):
    """One row: bumped by every import that changes the roster, so running kiosks (each
    holding the roster's card_ids in memory, or a local copy of it) notice within seconds."""

    __tablename__ = "roster_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    changed_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class AuditEvent(SQLModel, table=True):
    """Facts worth keeping that are not check-ins: imports, undos, refused payment cards.

    Never holds raw swipe text or card numbers.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    kind: str = Field(sa_column=Column(Text, nullable=False, index=True))
    event_id: int | None = Field(default=None, foreign_key="event.id")
    detail: str | None = Field(default=None, sa_column=Column(Text))


class StaffSecret(SQLModel, table=True):
    """A staff PIN or staff card, stored only as a salted scrypt hash.

    ``failed_attempts`` and ``last_failed_at`` are the PIN's wrong guesses in a row and when
    the last one was made (kiosk.checkin.staff.PinGate): kept here, they survive a restart and are
    shared by every kiosk on the database.
    """

    __tablename__ = "staff_secret"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=Column(Text, nullable=False, unique=True))  # pin | card
    secret_hash: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    failed_attempts: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    last_failed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
