"""Regenerate the performance figures of README.md and docs/roster.md from one set of runs.

    python benchmarks/report.py                  # run the benchmarks, then rewrite the blocks
    python benchmarks/report.py --save FILE      # ... and keep what was measured in FILE
    python benchmarks/report.py --from FILE      # rewrite from saved figures, running nothing
    python benchmarks/report.py --quick          # small sizes, few runs: to try the pipeline

Each benchmark below is run with ``--json OUT``; its JSON carries ``summary``, the rows it
gives the table (``figure``, ``project``, ``floor``, ``ratio``, ``target``: text, written
by the benchmark that knows its figures). Both files get their rows from the same runs, so
they cannot disagree. Only the text between ``<!-- perf:begin -->`` and ``<!-- perf:end -->``
is rewritten; the block states the machine (CPU model, cores, memory), the date and the load
average, since the machine may be shared. A benchmark that fails, or whose JSON has no
``summary``, stops the script before any file is written.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BEGIN = "<!-- perf:begin -->"
END = "<!-- perf:end -->"
COLUMNS = ("figure", "project", "floor", "ratio", "target")
HEADER = ("figure", "kiosk", "floor, measured in the same run", "ratio", "target")


@dataclass(frozen=True)
class Benchmark:
    name: str
    script: str
    arguments: tuple[str, ...]
    quick: tuple[str, ...]


BENCHMARKS = (
    Benchmark("import", "roster_import.py", ("--repeat", "3"),
              ("--rows", "10000", "--memory-rows", "20000")),
    Benchmark("cli", "cli_startup.py", (), ("--runs", "3")),
    Benchmark("startup", "kiosk_startup.py", (), ("--students", "10000", "--runs", "2")),
    Benchmark(
        "verify", "verify_100k.py", (), ("--rows", "10000", "--sample", "500", "--runs", "2")
    ),
)

#: Which benchmarks' rows each file's block shows.
BLOCKS: dict[str, tuple[str, ...]] = {
    "README.md": tuple(benchmark.name for benchmark in BENCHMARKS),
    "docs/roster.md": ("import",),
}


class ReportError(Exception):
    """Something that stops the report before any file is written."""


# --------------------------------------------------------------------------- measuring


def machine() -> dict[str, Any]:
    """CPU model, cores and memory of this machine, and its load average now."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_gib = 0.0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = int(line.split()[1]) / 2**20
                break
    return {
        "cpu": model,
        "cores": os.cpu_count() or 0,
        "memory_gib": round(memory_gib, 1),
        "python": platform.python_version(),
    }


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def run_benchmarks(quick: bool) -> dict[str, Any]:
    """Every benchmark, one after the other, with the machine and date around them."""
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_before": load_average(),
        "quick": quick,
        "benchmarks": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for benchmark in BENCHMARKS:
            out = Path(tmp) / f"{benchmark.name}.json"
            extra = benchmark.quick if quick else benchmark.arguments
            command = [sys.executable, str(HERE / benchmark.script), *extra, "--json", str(out)]
            print(f"== {benchmark.script} {' '.join(extra)}", flush=True)
            done = subprocess.run(command, cwd=HERE, check=False)
            if done.returncode != 0 or not out.exists():
                raise ReportError(
                    f"{benchmark.script} failed (exit status {done.returncode}) or wrote no "
                    "--json file; nothing was rewritten."
                )
            results["benchmarks"][benchmark.name] = json.loads(out.read_text(encoding="utf-8"))
    results["load_after"] = load_average()
    return results


# --------------------------------------------------------------------------- rendering


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def rows_of(results: dict[str, Any], names: tuple[str, ...]) -> list[dict[str, str]]:
    """The table rows of the named benchmarks, in order; ReportError when one is missing."""
    rows: list[dict[str, str]] = []
    for name in names:
        figures = results["benchmarks"].get(name)
        if figures is None:
            raise ReportError(f"no figures of the {name!r} benchmark in these results.")
        summary = figures.get("summary") if isinstance(figures, dict) else None
        if not isinstance(summary, list) or not summary:
            raise ReportError(
                f"the {name!r} benchmark's --json has no 'summary' rows (a list of objects with "
                f"{', '.join(COLUMNS)}); nothing was rewritten."
            )
        for row in summary:
            missing = [column for column in COLUMNS if column not in row]
            if missing:
                raise ReportError(f"a {name!r} summary row lacks {', '.join(missing)}.")
            rows.append(row)
    return rows


def render_block(results: dict[str, Any], names: tuple[str, ...]) -> str:
    """The text between the markers: where and when, then the table."""
    box = results["machine"]
    quick = " A --quick run: small sizes, few runs." if results.get("quick") else ""
    lines = [
        "<!-- generated by `python benchmarks/report.py` from one set of runs: "
        "rerun it rather than editing this block -->",
        f"Measured {results['date']} on {box['cpu']} ({box['cores']} cores, "
        f"{box['memory_gib']:g} GiB RAM, Python {box['python']}), load average "
        f"{results['load_before']:g} before the runs and {results['load_after']:g} after "
        f"(a shared machine: absolute times move with the load; the ratios, each taken run by "
        "run against a floor measured alongside, move less). Figures are the median of the "
        f"runs, with (min-max).{quick}",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    for row in rows_of(results, names):
        lines.append("| " + " | ".join(_cell(row[column]) for column in COLUMNS) + " |")
    return "\n".join(lines)


def rewrite(text: str, block: str, where: str = "the file") -> str:
    """``text`` with what lies between its one pair of markers replaced by ``block``."""
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        raise ReportError(f"{where} needs exactly one {BEGIN} and one {END} line.")
    start = text.index(BEGIN) + len(BEGIN)
    end = text.index(END)
    if end < start:
        raise ReportError(f"in {where}, {END} comes before {BEGIN}.")
    return f"{text[:start]}\n{block}\n{text[end:]}"


def rewrite_files(results: dict[str, Any], root: Path = REPO) -> list[Path]:
    """Rewrite every file's block; all are rendered before any is written."""
    new_texts: dict[Path, str] = {}
    for relative, names in BLOCKS.items():
        path = root / relative
        text = path.read_text(encoding="utf-8")
        new_texts[path] = rewrite(text, render_block(results, names), relative)
    changed = []
    for path, text in new_texts.items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="FILE",
        help="rewrite from these saved figures; run nothing",
    )
    parser.add_argument("--save", type=Path, metavar="FILE", help="keep the figures here too")
    parser.add_argument("--quick", action="store_true", help="small sizes and few runs")
    parser.add_argument("--root", type=Path, default=REPO, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.source is not None:
            results = json.loads(args.source.read_text(encoding="utf-8"))
        else:
            results = run_benchmarks(args.quick)
        if args.save is not None:
            args.save.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        changed = rewrite_files(results, args.root)
    except ReportError as error:
        print(f"report: {error}", file=sys.stderr)
        return 1
    for path in changed:
        print(f"rewrote the performance block of {path.relative_to(args.root)}")
    if not changed:
        print("the performance blocks were already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
