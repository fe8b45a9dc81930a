"""benchmarks/report.py: one set of figures rewrites the marked block of README.md and
docs/roster.md, and nothing else of them; run twice, it changes nothing the second time.
Fed a small JSON fixture: the benchmarks themselves are not run here."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "perf_results.json"


def _report() -> ModuleType:
    spec = importlib.util.spec_from_file_location("perf_report", REPO / "benchmarks" / "report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["perf_report"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


report = _report()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the two files the report rewrites."""
    (tmp_path / "docs").mkdir()
    for relative in report.BLOCKS:
        shutil.copy(REPO / relative, tmp_path / relative)
    return tmp_path


def _outside(text: str) -> tuple[str, str]:
    return text.split(report.BEGIN)[0], text.split(report.END)[1]


def _results() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return loaded


def test_the_blocks_are_rewritten_and_nothing_else(root: Path) -> None:
    before = {relative: (root / relative).read_text(encoding="utf-8") for relative in report.BLOCKS}
    assert report.main(["--from", str(FIXTURE), "--root", str(root)]) == 0
    for relative, old in before.items():
        new = (root / relative).read_text(encoding="utf-8")
        assert new != old
        assert _outside(new) == _outside(old)
        block = new.split(report.BEGIN)[1].split(report.END)[0]
        assert "Test CPU 9000 (2 cores, 7.8 GiB RAM" in block and "2026-12-04 21:30 UTC" in block
        assert "| `kiosk import` 100,000 rows, SQLite, first | 2.10 s (2.00-2.30) |" in block
        assert "re-import, 1% changed \\| SQLite" in block  # a | in a cell is escaped
    readme = (root / "README.md").read_text(encoding="utf-8")
    roster = (root / "docs/roster.md").read_text(encoding="utf-8")
    assert "`kiosk --help`, whole process" in readme and "`kiosk --help`" not in roster
    import_rows = [line for line in roster.splitlines() if line.startswith("| `kiosk import`")]
    assert import_rows and set(import_rows) <= set(readme.splitlines())  # the same figures


def test_a_second_run_changes_nothing(root: Path) -> None:
    report.rewrite_files(_results(), root)
    once = {relative: (root / relative).read_bytes() for relative in report.BLOCKS}
    assert report.rewrite_files(_results(), root) == []
    assert {relative: (root / relative).read_bytes() for relative in report.BLOCKS} == once


def test_a_benchmark_without_summary_rows_writes_nothing(root: Path) -> None:
    results = _results()
    results["benchmarks"]["import"] = {"seconds": 2.0}
    before = {relative: (root / relative).read_bytes() for relative in report.BLOCKS}
    with pytest.raises(report.ReportError, match="'import' benchmark's --json has no 'summary'"):
        report.rewrite_files(results, root)
    assert {relative: (root / relative).read_bytes() for relative in report.BLOCKS} == before


@pytest.mark.parametrize(
    "text",
    ["no markers at all\n", f"{report.END}\n{report.BEGIN}\n", f"{report.BEGIN}\n{report.BEGIN}\n"],
)
def test_markers_missing_or_out_of_order_are_refused(text: str) -> None:
    with pytest.raises(report.ReportError):
        report.rewrite(text, "block")
