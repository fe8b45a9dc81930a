"""The owner and kiosk roles of docs/multi-kiosk.md, run as the doc gives them (its SQL blocks
are read from the page, so doc and test cannot drift) on a throwaway PostgreSQL server, then
a fair-mode kiosk as the non-superuser kiosk role: everything the doc says a kiosk does works;
what it says is the owner's job fails with one sentence that names the fix."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from kiosk.checkin.events import get_event
from kiosk.checkin.staff import set_pin
from kiosk.cli import main
from kiosk.db.models import AuditEvent, CheckIn
from kiosk.db.session import PermissionMissing, open_database
from kiosk.errors import UserError
from tests.conftest import FIXTURES, REPO_ROOT
from tests.fair.kiosks import close_kiosk, open_kiosk, swipe, through, until_drained
from tests.netproxy import NetProxy
from tests.pgcluster import ThrowawayCluster

DOC = REPO_ROOT / "docs" / "multi-kiosk.md"
ROSTER = FIXTURES / "roster" / "base.csv"  # card_ids 0012345678, 0012345679, ...
ANA, BEN, CHEN = "0012345678", "0012345679", "0012345680"


def doc_sql_blocks() -> list[str]:
    """The ```sql blocks of the roles section of docs/multi-kiosk.md, in order."""
    section = DOC.read_text(encoding="utf-8").split("## 1.", 1)[1].split("\n## 2.", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def run_block(cluster: ThrowawayCluster, block: str, database: str, user: str) -> str:
    """Run a doc block as psql would, as ``user``: ``--`` comments dropped, ``\\c DB``
    switching database; returns the database it ends in."""
    statements: list[tuple[str, str]] = []
    buffer = ""
    for line in block.splitlines():
        line = line.split("--", 1)[0].rstrip()
        if line.startswith("\\c "):
            database = line.split()[1]
            continue
        buffer += line + "\n"
        while ";" in buffer:
            statement, buffer = buffer.split(";", 1)
            if statement.strip():
                statements.append((database, statement.strip()))
    assert not buffer.strip(), f"unterminated SQL in the doc: {buffer!r}"
    for where, statement in statements:
        engine = open_database(f"{cluster.superuser_url(where).replace('postgres@', f'{user}@')}",
                               migrate=False)  # fmt: skip
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()
    return database


@pytest.fixture
def roles(pg_cluster: ThrowawayCluster) -> Iterator[tuple[str, str, str]]:
    """The doc's roles and database on the throwaway server (dropped afterwards): the URLs
    of the owner and of the kiosk role."""
    cleanup = ("DROP DATABASE IF EXISTS kiosk WITH (FORCE)", "DROP ROLE IF EXISTS kiosk_door",
               "DROP ROLE IF EXISTS kiosk_owner")  # fmt: skip
    pg_cluster.execute(*cleanup)
    create, grants = doc_sql_blocks()
    database = run_block(pg_cluster, create, "postgres", "postgres")
    base = f"127.0.0.1:{pg_cluster.port}/{database}"
    owner = f"postgresql://kiosk_owner:owner-secret@{base}"
    door = f"postgresql://kiosk_door:door-secret@{base}"
    yield owner, door, grants
    pg_cluster.execute(*cleanup)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


async def test_the_kiosk_role_of_the_doc_does_a_kiosks_work_and_no_more(
    pg_cluster: ThrowawayCluster,
    roles: tuple[str, str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    owner, door, grants = roles
    # The owner's part, as the doc's shell block does it.
    assert _cli(capsys, "--db", owner, "db", "upgrade")[0] == 0
    assert _cli(capsys, "--db", owner, "import", str(ROSTER))[0] == 0
    code, out = _cli(capsys, "--db", owner, "events", "create", "Fall Career Fair", "--kind",
                     "fair")  # fmt: skip
    assert code == 0, out
    event_id = int(re.findall(r"\d+", out)[0])
    owner_engine = open_database(owner)
    set_pin(owner_engine, "482913")
    # Before the GRANT block the kiosk role may not even read the schema version.
    with pytest.raises(PermissionMissing) as refused:
        open_database(door)
    assert "GRANT SELECT ON alembic_version TO kiosk_door" in str(refused.value)
    run_block(pg_cluster, grants, "kiosk", "kiosk_owner")

    # A fair-mode kiosk as the kiosk role: swipe, already, walk-in, undo, PIN, counts, export.
    event = get_event(owner_engine, event_id)
    replica = tmp_path / "door-a.sqlite3"
    with NetProxy("127.0.0.1", pg_cluster.port) as proxy:
        desk = await open_kiosk(through(proxy, door), event, replica, "door-a")
        assert desk.link_status() == ""
        assert (await desk.handle_swipe(swipe(ANA))).kind == "checked_in"
        assert (await desk.handle_swipe(swipe(ANA))).kind == "already"
        assert (await desk.handle_swipe(swipe(BEN))).kind == "checked_in"
        assert (await desk.walk_in("Sam Visitor", "sam@example.org", None)).kind == "checked_in"
        ben = next(row for row in await desk.recent(20) if row.username == "h1002")
        await desk.undo(ben.id, "staff")
        assert await desk.live_count() == 2
        assert not (await desk.check_pin("000000")).ok  # the shared wrong-guess counter
        assert (await desk.check_pin("482913")).ok
        summary = await desk.export("full", tmp_path / "full.csv")
        assert summary.rows >= 3
        # Offline and back: the queue (a check-in and an undo) is sent as the kiosk role.
        proxy.cut()
        assert (await desk.handle_swipe(swipe(CHEN))).kind == "checked_in"
        ana = next(row for row in await desk.recent(20) if row.username == "h1001")
        await desk.undo(ana.id, "staff")
        assert desk.link_status() == "offline — 2 queued"
        proxy.restore()
        await until_drained(desk)
        # What the doc calls the owner's job is refused with a sentence naming the fix.
        changed = tmp_path / "roster.csv"
        changed.write_text(ROSTER.read_text(encoding="utf-8").replace("Lopez", "Lopez-Ruiz"))
        with pytest.raises(UserError, match="owner's job") as staff_import:
            await desk.import_roster(changed, archive_missing=False)
        assert "Traceback" not in str(staff_import.value)
        close_kiosk(desk)
    with Session(owner_engine) as session:
        rows = list(session.exec(select(CheckIn).where(CheckIn.event_id == event_id)))
        undos = list(session.exec(select(AuditEvent).where(AuditEvent.kind == "undo")))
    assert sorted((row.kiosk_id, row.undone_at is not None) for row in rows) == [
        ("door-a", False), ("door-a", False), ("door-a", True), ("door-a", True),
    ]  # fmt: skip
    assert len(undos) == 2
    code, out = _cli(capsys, "fair", "status", "--replica", str(replica))
    assert code == 0 and "queued:         0" in out

    for argv in (
        ("import", str(changed)),
        ("events", "create", "Spring Fair", "--kind", "fair"),
    ):
        code, out = _cli(capsys, "--db", door, *argv)
        assert code != 0 and "Traceback" not in out, out
        assert "kiosk_door may not" in out and "owner's database URL" in out, out
    # A kiosk newer than the schema cannot upgrade it: one sentence, the owner's command.
    with owner_engine.begin() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        connection.execute(text("UPDATE alembic_version SET version_num = '0003'"))
    try:
        code, out = _cli(capsys, "--db", door, "db", "upgrade")
        assert code != 0 and "Traceback" not in out
        assert "run `kiosk db upgrade` with the owner's database URL" in out, out
    finally:
        with owner_engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        owner_engine.dispose()
