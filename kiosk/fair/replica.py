"""A kiosk's own copy of the shared database: what it needs to check students in alone.

The replica is a SQLite kiosk database (the same schema and migrations) in the kiosk's state
directory. While the shared database answers, ``refresh`` copies into it the students (ids,
names, emails, card_ids, archived — nothing else of the roster), the events, the staff
secrets (hashes), the event's registrants and its live check-ins, so that a kiosk cut off
from the network still knows every card, who registered and who is already checked in.
Check-ins made here while offline are ordinary rows of its ``check_in`` table with their
idempotency key; those not yet acknowledged by the shared database are the queue
(``sync``). Two kiosk-local tables live beside the schema: ``sent`` (the keys the shared
database has) and ``replica_state``.

Ids are the shared database's: a student or event has the same id in both, so a check-in
made here can be sent as it is. Nothing in the replica is raw swipe text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    Table,
    Text,
    delete,
    func,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from kiosk.checkin.recording import undo_check_in
from kiosk.db.models import CheckIn, Event, Registration, RosterVersion, StaffSecret, Student
from kiosk.db.session import open_database
from kiosk.db.types import UTCDateTime
from kiosk.errors import UserError

LOCAL = MetaData()
#: Idempotency keys of check-ins the shared database has (copied from it, or sent to it).
SENT = Table("sent", LOCAL, Column("client_key", Text, primary_key=True))
#: Undos made here while offline, by the idempotency key of the check-in they undo, to be
#: replayed on the shared database once each (``sync.send_undos``) with their original time.
#: Filled by a trigger in the same transaction as the local undo, so no undo is ever made
#: here without being queued, and none is queued without being made.
QUEUED_UNDO = Table(
    "queued_undo",
    LOCAL,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_key", Text, nullable=False),
    Column("undone_at", UTCDateTime(), nullable=False),
    Column("undone_by", Text),
    Column("sent", Boolean, nullable=False, default=False),
)
_QUEUE_UNDO_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS queue_undo AFTER UPDATE OF undone_at ON check_in
WHEN OLD.undone_at IS NULL AND NEW.undone_at IS NOT NULL AND NEW.client_key IS NOT NULL
BEGIN
    INSERT INTO queued_undo (client_key, undone_at, undone_by, sent)
    VALUES (NEW.client_key, NEW.undone_at, NEW.undone_by, 0);
END
"""
REPLICA_STATE = Table(
    "replica_state",
    LOCAL,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)
#: The roster columns a kiosk needs: who a card belongs to and the name to greet them by.
STUDENT_COLUMNS = (
    "id",
    "username",
    "email_address",
    "email_key",
    "auth_identifier",
    "card_id",
    "first_name",
    "last_name",
    "preferred_name",
    "archived",
    "archived_at",
    "created_at",
    "updated_at",
)
#: The roster as the last refresh read it, before it is put in place (``_copy_roster``).
INCOMING_STUDENT = Table(
    "incoming_student",
    LOCAL,
    *(
        Column(name, column.type, primary_key=name == "id", autoincrement=False)
        for name in STUDENT_COLUMNS
        for column in (SQLModel.metadata.tables["student"].c[name],)
    ),
)
_CHUNK = 5_000
#: What a check-in carries from one database to the other (its id stays each one's own):
#: a shared check-in copied into the replica (live, so no undo fields) ...
COPIED_CHECK_IN = (
    "event_id",
    "student_id",
    "method",
    "card_id",
    "rule",
    "reader",
    "kiosk_id",
    "note",
    "checked_in_at",
    "walk_in_key",
    "checked_in_by",  # who, for a staff check-in made by hand
)
#: ... and a queued one sent to the shared database (with its undo and its key).
SENT_CHECK_IN = (*COPIED_CHECK_IN, "undone_at", "undone_by", "client_key")


@dataclass(frozen=True)
class RefreshResult:
    """What one refresh copied."""

    roster_copied: bool
    students: int
    check_ins: int


def _table(model: type[SQLModel]) -> Table:
    """The Core table of a model (rows are copied between databases as plain mappings)."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


def shared_key(check_in_id: int, client_key: str | None) -> str:
    """The idempotency key of a shared check-in (one made before keys existed gets its id)."""
    return client_key or f"shared:{check_in_id}"


class Replica:
    """The local copy (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = open_database(f"sqlite:///{path}")
        LOCAL.create_all(self.engine)
        with self.engine.begin() as connection:
            connection.execute(text(_QUEUE_UNDO_TRIGGER))

    def close(self) -> None:
        self.engine.dispose()

    # ---------------------------------------------------------------- state

    def _state(self, connection: Connection, key: str) -> str | None:
        row = connection.execute(select(REPLICA_STATE.c.value).where(REPLICA_STATE.c.key == key))
        return row.scalar_one_or_none()

    @staticmethod
    def _set_state(connection: Connection, key: str, value: str) -> None:
        statement = sqlite_insert(REPLICA_STATE).values(key=key, value=value)
        connection.execute(
            statement.on_conflict_do_update(index_elements=["key"], set_={"value": value})
        )

    def refreshed_at(self) -> datetime | None:
        """When the replica last had the shared database's roster (None: never)."""
        with self.engine.connect() as connection:
            value = self._state(connection, "refreshed_at")
        return datetime.fromisoformat(value) if value else None

    # -------------------------------------------------------------- refresh

    def refresh(self, shared: Engine, event_id: int | None) -> RefreshResult:
        """Copy what changed from the shared database: the roster when its version moved,
        the events and staff secrets always (they are small), and the event's live check-ins
        not copied yet. Each part is one local transaction."""
        with shared.connect() as source:
            roster = _table(RosterVersion)
            versions = source.execute(select(roster).where(roster.c.id == 1)).mappings().all()
            version = versions[0]["version"] if versions else None
            events = source.execute(select(_table(Event))).mappings().all()
            registrations = self._registrations(source, event_id)
            secrets = source.execute(select(_table(StaffSecret))).mappings().all()
            with self.engine.begin() as local:
                known = self._state(local, "roster_version")
                roster_copied = known != str(version) or self._state(local, "refreshed_at") is None
            students = self._copy_roster(source) if roster_copied else 0
            with self.engine.begin() as local:
                _upsert(local, _table(Event), events, ["id"])
                _upsert(local, _table(Registration), registrations, ["id"])
                _upsert(local, _table(StaffSecret), secrets, ["id"])
                if roster_copied:
                    self._set_state(local, "roster_version", str(version))
                    # the roster's version too, so what follows it here (staff's student
                    # search index, kiosk.checkin.search) reloads when the copy changed
                    _upsert(local, _table(RosterVersion), versions, ["id"])
                self._set_state(local, "refreshed_at", datetime.now(UTC).isoformat())
            copied = self._copy_check_ins(source, event_id) if event_id is not None else 0
        return RefreshResult(roster_copied, students, copied)

    @staticmethod
    def _registrations(source: Connection, event_id: int | None) -> Sequence[Mapping[Any, Any]]:
        """The event's registrants (small), so a registered-only event and the registered /
        walk-in answer work offline too (kiosk.checkin.registrations)."""
        if event_id is None:
            return []
        table = _table(Registration)
        return source.execute(select(table).where(table.c.event_id == event_id)).mappings().all()

    def _copy_roster(self, source: Connection) -> int:
        """Every student's needed columns. The rows come from the network a chunk at a time
        into ``incoming_student``, each chunk its own short local transaction, so the
        replica is never write-locked while the kiosk waits on the shared server (an offline
        swipe made meanwhile would wait for that lock: up to the engine's answer limit if the
        server froze mid-copy). Then one local transaction puts them in place (card_ids may
        have moved between students, so the old values are cleared before the new ones go
        in)."""
        columns = [_table(Student).c[name] for name in STUDENT_COLUMNS]
        rows = source.execution_options(yield_per=_CHUNK).execute(select(*columns))
        with self.engine.begin() as local:
            local.execute(delete(INCOMING_STUDENT))
        count = 0
        for chunk in rows.mappings().partitions(_CHUNK):  # the network waits happen here
            with self.engine.begin() as local:
                local.execute(INCOMING_STUDENT.insert(), [dict(row) for row in chunk])
            count += len(chunk)
        student = _table(Student)
        incoming = select(*(INCOMING_STUDENT.c[name] for name in STUDENT_COLUMNS)).where(true())
        upsert = sqlite_insert(student).from_select(list(STUDENT_COLUMNS), incoming)
        upsert = upsert.on_conflict_do_update(
            index_elements=["id"],
            set_={name: upsert.excluded[name] for name in STUDENT_COLUMNS if name != "id"},
        )
        with self.engine.begin() as local:
            local.execute(
                text(
                    "UPDATE student SET card_id = NULL, auth_identifier = NULL, "
                    "username = '~' || id, email_key = '~' || id"
                )
            )
            local.execute(upsert)
            local.execute(delete(INCOMING_STUDENT))
        return count

    def _copy_check_ins(self, source: Connection, event_id: int) -> int:
        """The event's live check-ins the replica does not have yet (by idempotency key)."""
        with self.engine.connect() as local:
            last = int(self._state(local, f"last_check_in:{event_id}") or 0)
        table = _table(CheckIn)
        rows = (
            source.execute(
                select(table)
                .where(table.c.event_id == event_id, table.c.id > last, CheckIn.live())
                .order_by(table.c.id)
            )
            .mappings()
            .all()
        )
        if not rows:
            return 0
        with self.engine.begin() as local:
            self._insert_copies(local, rows)
            self._set_state(local, f"last_check_in:{event_id}", str(rows[-1]["id"]))
        return len(rows)

    def mirror(self, check_in: CheckIn) -> None:
        """Copy one live check-in the shared database just answered about (made here, or the
        one that made this swipe "already"), so that if the network drops now the replica
        still knows the student is in (the next refresh would bring it too)."""
        row = {name: getattr(check_in, name) for name in (*COPIED_CHECK_IN, "id", "client_key")}
        with self.engine.begin() as local:
            self._insert_copies(local, [row])

    @staticmethod
    def _insert_copies(local: Connection, rows: Sequence[Mapping[Any, Any]]) -> None:
        """Shared check-ins into the replica, each noted as one the shared database has. A
        check-in the replica already holds (it made it, or a live one for the same student)
        is left as it is."""
        table = _table(CheckIn)
        copies = [
            {**{name: row[name] for name in COPIED_CHECK_IN}, "client_key": key}
            for row in rows
            for key in (shared_key(row["id"], row["client_key"]),)
        ]
        # Two executemany statements, not two per row: the replica's write lock, which an
        # offline swipe waits for, is held for milliseconds even for a thousand copies.
        local.execute(sqlite_insert(table).on_conflict_do_nothing(), copies)
        local.execute(
            sqlite_insert(SENT).on_conflict_do_nothing(),
            [{"client_key": copy["client_key"]} for copy in copies],
        )

    # ---------------------------------------------------------------- queue

    def pending_count(self) -> int:
        """Check-ins made here that the shared database has not acknowledged yet."""
        with self.engine.connect() as connection:
            return int(
                connection.execute(_pending_keys().with_only_columns(func.count())).scalar_one()
            )

    def queued_count(self) -> int:
        """Everything still to send: queued check-ins and queued undos."""
        return self.pending_count() + len(self.pending_undos())

    def pending_undos(self) -> list[tuple[int, str, datetime, str | None]]:
        """Undos made here offline not yet replayed: (id, check-in key, when, by), oldest
        first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    QUEUED_UNDO.c.id,
                    QUEUED_UNDO.c.client_key,
                    QUEUED_UNDO.c.undone_at,
                    QUEUED_UNDO.c.undone_by,
                )
                .where(QUEUED_UNDO.c.sent.is_(False))
                .order_by(QUEUED_UNDO.c.id)
            )
            return [(row[0], row[1], row[2], row[3]) for row in rows]

    def mark_undo_sent(self, undo_id: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(QUEUED_UNDO).where(QUEUED_UNDO.c.id == undo_id).values(sent=True)
            )

    def is_pending(self, client_key: str) -> bool:
        """True while the check-in with this key waits in the queue (not acknowledged)."""
        with self.engine.connect() as connection:
            found = connection.execute(
                _pending_keys().where(_table(CheckIn).c.client_key == client_key)
            ).first()
        return found is not None

    # ----------------------------------------------------------------- undo

    def keys_of(self, ids: Sequence[int]) -> dict[int, str]:
        """The idempotency keys of the replica's check-ins with these ids."""
        return keys_of(self.engine, ids)

    def undo(self, event_id: int, client_key: str, by: str, *, queue: bool) -> None:
        """Undo the check-in with this key here (the same undo and audit as anywhere, one
        local transaction). ``queue``: made offline, so it is queued for the shared database
        (the trigger); else it mirrors an undo the shared database already made. A check-in
        this replica does not hold (made elsewhere, not copied yet) is only queued."""
        table = _table(CheckIn)
        with self.engine.connect() as connection:
            check_in_id = connection.execute(
                select(table.c.id).where(table.c.client_key == client_key)
            ).scalar_one_or_none()
        if check_in_id is None:
            if queue:
                with self.engine.begin() as connection:
                    connection.execute(
                        QUEUED_UNDO.insert().values(
                            client_key=client_key, undone_at=datetime.now(UTC), undone_by=by
                        )
                    )
            return
        try:
            undo_check_in(self.engine, event_id, check_in_id, by)
        except UserError:
            if queue:
                raise  # already undone here: say so
            return  # mirroring: the replica already knew
        if not queue:  # the shared database has it: the trigger's entry is sent already
            with self.engine.begin() as connection:
                connection.execute(
                    update(QUEUED_UNDO)
                    .where(QUEUED_UNDO.c.client_key == client_key)
                    .values(sent=True)
                )

    def pending_keys(self) -> list[str]:
        """Their idempotency keys, oldest first."""
        with self.engine.connect() as connection:
            return list(connection.execute(_pending_keys()).scalars())

    def mark_sent(self, client_key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                sqlite_insert(SENT).values(client_key=client_key).on_conflict_do_nothing()
            )

    def forget_sent(self) -> None:
        """Tests only: as if nothing had been acknowledged."""
        with self.engine.begin() as connection:
            connection.execute(delete(SENT))


def keys_of(engine: Engine, ids: Sequence[int]) -> dict[int, str]:
    """Check-in id -> idempotency key (``shared_key``) in one database (shared or replica)."""
    if not ids:
        return {}
    table = _table(CheckIn)
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.c.id, table.c.client_key).where(table.c.id.in_(list(ids)))
        )
        return {row[0]: shared_key(row[0], row[1]) for row in rows}


def _pending_keys() -> Any:
    table = _table(CheckIn)
    return (
        select(table.c.client_key)
        .where(
            table.c.client_key.is_not(None),
            ~select(SENT.c.client_key).where(SENT.c.client_key == table.c.client_key).exists(),
        )
        .order_by(table.c.id)
    )


def _upsert(connection: Connection, table: Any, rows: Any, keys: list[str]) -> None:
    """Insert ``rows`` (mappings), replacing the rows with the same ``keys``."""
    rows = [dict(row) for row in rows]
    if not rows:
        return
    statement = sqlite_insert(table)
    columns = [name for name in rows[0] if name not in keys]
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=keys, set_={name: statement.excluded[name] for name in columns}
        ),
        rows,
    )
