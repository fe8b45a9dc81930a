"""Property: a randomly damaged roster never crashes the importer, and a refused import
never changes the database."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kiosk.db.session import open_database
from kiosk.roster import import_roster, render_text
from tests.roster.conftest import roster, snapshot

BASE = roster("base.csv").read_bytes()
NASTY = [b",", b'"', b"\r\n", b"\n", b"\r", b"\x00", b"\xff", b"\xe9", b"\xef\xbb\xbf",
         b"**CLEAR**", b";", b"TRUE", b"6.00999E+15", b"email_address", b"username", b" ",
         "\u00e9".encode(), b"\xc3", b"0012345678"]

damage = st.lists(
    st.tuples(
        st.sampled_from(["insert", "delete", "replace", "truncate", "duplicate_line",
                         "drop_line"]),
        st.floats(min_value=0, max_value=1),
        st.one_of(st.sampled_from(NASTY), st.binary(min_size=1, max_size=4)),
    ),
    min_size=1,
    max_size=6,
)


def damaged(data: bytes, operations: list[tuple[str, float, bytes]]) -> bytes:
    for operation, where, piece in operations:
        at = int(where * len(data))
        lines = data.split(b"\n")
        line = min(int(where * len(lines)), len(lines) - 1)
        if operation == "insert":
            data = data[:at] + piece + data[at:]
        elif operation == "delete":
            data = data[:at] + data[at + len(piece):]
        elif operation == "replace":
            data = data[:at] + piece + data[at + len(piece):]
        elif operation == "truncate":
            data = data[:at]
        elif operation == "duplicate_line":
            data = b"\n".join([*lines[: line + 1], lines[line], *lines[line + 1:]])
        else:
            data = b"\n".join([*lines[:line], *lines[line + 1:]])
    return data


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=damage, archive_missing=st.booleans())
def test_damaged_rosters_never_crash_and_refusals_write_nothing(
    tmp_path: Path, operations: list[tuple[str, float, bytes]], archive_missing: bool
) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    try:
        if not snapshot(engine):
            assert import_roster(engine, roster("base.csv")).created == 5
        path = tmp_path / "damaged.csv"
        path.write_bytes(damaged(BASE, operations))
        before = snapshot(engine)
        report = import_roster(engine, path, archive_missing=archive_missing)
        assert render_text(report) and report.to_json()
        counted = report.created + report.updated + report.unchanged + report.rejected
        # rows archived by disabled=TRUE count as archived, as do missing students
        assert counted <= report.rows <= counted + report.archived
        event("refused" if report.refused is not None else "imported")
        if report.refused is not None:
            assert snapshot(engine) == before
            assert report.exit_status == 1
    finally:
        engine.dispose()
