"""Fuzzing ``kiosk import`` with mutated rosters: other encodings (UTF-16 with and without
BOM, UTF-32, latin-1, cp1252), BOMs, stray quotes, 1 MB fields, NUL bytes, 10,000 columns,
truncated files, odd line ends. Through the real command (``kiosk.cli.main``) on a real
SQLite file: no unhandled exception, a refusal is one sentence on one line (never a
traceback), and a refused import leaves the database exactly as it was.

(tests/roster/test_property.py damages bytes of a small roster; this one changes the file's
encoding and shape.)"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kiosk.cli import main
from kiosk.db.session import open_database
from kiosk.roster import import_roster
from tests.roster.conftest import roster, snapshot

# The small roster with names only some encodings can hold.
BASE = (
    roster("base.csv")
    .read_text(encoding="utf-8")
    .replace("Ana,Lopez", "Ana,López")
    .replace("Ben,Okoro", "Bén,Økoro")
)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1",
             "cp1252"]
MEGABYTE = 1_000_000


def _cell_at(text: str, where: float) -> int:
    """A position just after a comma (the start of some cell)."""
    commas = [i + 1 for i, char in enumerate(text) if char == ","] or [0]
    return commas[min(int(where * len(commas)), len(commas) - 1)]


def _mutate(text: str, kind: str, where: float) -> str:
    at = int(where * len(text))
    lines = text.split("\n")
    line = min(int(where * len(lines)), len(lines) - 1)
    if kind == "stray_quote":
        return text[:at] + '"' + text[at:]
    if kind == "unclosed_quote":
        cell = _cell_at(text, where)
        return text[:cell] + '"' + text[cell:]
    if kind == "huge_field":
        cell = _cell_at(text, where)
        return text[:cell] + "x" * MEGABYTE + text[cell:]
    if kind == "huge_quoted_field":
        cell = _cell_at(text, where)
        return text[:cell] + '"' + "a,\n" * (MEGABYTE // 3) + '"' + text[cell:]
    if kind == "nul":
        return text[:at] + "\x00" + text[at:]
    if kind == "ten_thousand_columns":
        lines[line] += "".join(f",extra{n}" for n in range(10_000))
        return "\n".join(lines)
    if kind == "bom_inside":
        return text[:at] + "\ufeff" + text[at:]
    if kind == "crlf":
        return text.replace("\n", "\r\n")
    if kind == "cr":
        return text.replace("\n", "\r")
    if kind == "blank_lines":
        return "\n".join([*lines[:line], "", ",,,", *lines[line:]])
    if kind == "drop_line":
        return "\n".join(lines[:line] + lines[line + 1 :])
    return text


MUTATIONS = ["stray_quote", "unclosed_quote", "huge_field", "huge_quoted_field", "nul",
             "ten_thousand_columns", "bom_inside", "crlf", "cr", "blank_lines", "drop_line"]

rosters = st.tuples(
    st.lists(st.tuples(st.sampled_from(MUTATIONS), st.floats(0, 1)), max_size=3),
    st.sampled_from(ENCODINGS),
    st.one_of(st.none(), st.floats(0, 1)),  # cut the encoded bytes here
)


def _encoded(mutations: list[tuple[str, float]], encoding: str, cut: float | None) -> bytes:
    text = BASE
    for kind, where in mutations:
        text = _mutate(text, kind, where)
    data = text.encode(encoding, errors="replace")
    return data[: int(cut * len(data))] if cut is not None else data


def one_sentence(message: str) -> bool:
    """A message a user can read: one line, no traceback, ends like a sentence."""
    message = message.strip()
    return (
        bool(message)
        and "\n" not in message
        and "Traceback" not in message
        and message[-1] in ".:)?!"
        and len(message) < 600
    )


def _run_import(path: Path, db_url: str, dry_run: bool) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    options = ["--dry-run"] if dry_run else []
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["--db", db_url, "import", "--json", *options, str(path)])
    return status, out.getvalue(), err.getvalue()


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow,
                                                  HealthCheck.data_too_large])
@given(mutated=rosters, dry_run=st.booleans())
def test_mutated_rosters_are_imported_or_refused_in_one_sentence(
    tmp_path: Path, mutated: tuple[list[tuple[str, float]], str, float | None], dry_run: bool
) -> None:
    db_url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = open_database(db_url)
    try:
        if not snapshot(engine):
            assert import_roster(engine, roster("base.csv")).created == 5
        path = tmp_path / "mutated.csv"
        path.write_bytes(_encoded(*mutated))
        before = snapshot(engine)
        status, out, err = _run_import(path, db_url, dry_run)
        assert "Traceback" not in out + err
        if err:
            assert err.startswith("kiosk: ") and one_sentence(err.removeprefix("kiosk: ")), err
        assert status in (0, 1, 2), (status, err)
        report = json.loads(out) if out else None
        refused = report["refused"] if report else None
        if refused is not None:
            assert one_sentence(refused), refused
        if status != 0 or dry_run:
            event("refused" if refused else f"exit {status}")
            assert snapshot(engine) == before
        else:
            event("imported")
    finally:
        engine.dispose()


def test_a_utf32_roster_is_named_utf32(tmp_path: Path) -> None:
    path = tmp_path / "utf32.csv"
    path.write_bytes(BASE.encode("utf-32"))
    status, out, _ = _run_import(path, f"sqlite:///{tmp_path / 'kiosk.sqlite3'}", dry_run=True)
    assert status == 1
    assert "UTF-32" in json.loads(out)["refused"]
