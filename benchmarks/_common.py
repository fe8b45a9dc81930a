"""Helpers the benchmark scripts share: a synthetic roster, percentiles, memory figures."""

from __future__ import annotations

import resource
import statistics
from pathlib import Path
from typing import Any


def peak_mb() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mb() -> float:
    """Current resident memory (Linux /proc), not the peak."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p99 and the maximum of ``samples``."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * len(ordered))) - 1)]
    return statistics.median(ordered), p99, ordered[-1]


def card_id(number: int) -> str:
    """Student ``number``'s card_id in the synthetic roster (9 digits, unique)."""
    return f"{700000000 + number * 7:09d}"


def populate_students(engine: Any, students: int, archived_every: int | None = None) -> None:
    """Fill the student table with ``students`` synthetic students (every
    ``archived_every``-th archived), in batches of 10,000."""
    from sqlalchemy import insert

    from kiosk.db.models import Student, utcnow

    now = utcnow()

    def row(n: int) -> dict[str, Any]:
        return {
            "username": f"student{n:06d}",
            "email_address": f"student{n:06d}@example.edu",
            "email_key": f"student{n:06d}@example.edu",
            "first_name": "Student",
            "last_name": f"Number{n}",
            "card_id": card_id(n),
            "archived": archived_every is not None and n % archived_every == 0,
            "created_at": now,
            "updated_at": now,
        }

    with engine.begin() as connection:  # in batches: a million rows never sit in memory
        for start in range(0, students, 10_000):
            batch = [row(n) for n in range(start, min(start + 10_000, students))]
            connection.execute(insert(Student), batch)


# --- whole processes, timed from outside -------------------------------------------------

_RUN_ONE = (
    "import json, resource, subprocess, sys, time\n"
    "started = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "wall = time.perf_counter() - started\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
    "print(json.dumps({'wall': wall, 'peak': peak, 'rc': done.returncode,"
    " 'out': done.stdout[-20000:], 'err': done.stderr[-3000:]}))\n"
)


def whole_process(command: list[str], ok: tuple[int, ...] = (0,)) -> dict[str, Any]:
    """One run of ``command`` as a fresh process: wall seconds from spawn to exit, its peak
    resident MB (from a helper process that runs only it, so the peak is its own) and its
    output. Exits the benchmark with the command's error output when its exit status is not
    one of ``ok``."""
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _RUN_ONE, *command], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    if result["rc"] not in ok:
        raise SystemExit(f"{' '.join(command[:4])} failed:\n{result['err']}")
    return result


def run_installed_copy(directory: Path) -> Path:
    """From now on, whole processes started by this benchmark (it sets ``PYTHONPATH``) run
    the project as installed: its packages ``kiosk`` and ``drivers`` copied to
    ``directory`` and compiled to bytecode, as pip compiles a package when it installs it.

    Without it, where ``PYTHONDONTWRITEBYTECODE`` is set (as on the shared development
    machine), every run of a checkout compiles the project's hundred-odd modules from
    source again, about a tenth of a second that no installed kiosk pays, while the floors'
    standard library modules are compiled. Returns the copy's folder."""
    import compileall
    import os
    import shutil

    repository = Path(__file__).resolve().parent.parent
    for package in ("kiosk", "drivers"):
        shutil.copytree(
            repository / package,
            directory / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    if not compileall.compile_dir(str(directory), quiet=1):
        raise SystemExit(f"could not compile the project's copy in {directory}")
    earlier = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(directory) + (os.pathsep + earlier if earlier else "")
    return directory


def kiosk_command() -> list[str]:
    """The installed ``kiosk`` console command (else ``python -m kiosk``)."""
    import sys

    kiosk = Path(sys.executable).with_name("kiosk")
    return [str(kiosk)] if kiosk.exists() else [sys.executable, "-m", "kiosk"]


def spread(values: list[float]) -> dict[str, float]:
    """Minimum, median and maximum."""
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def paired(
    project: list[str], floor: list[str], runs: int, ok: tuple[int, ...] = (0,)
) -> dict[str, Any]:
    """``project`` and ``floor`` as whole processes in turn (after one uncounted pair that
    warms the disk cache), ``runs`` times each: seconds and peak MB of each, and the ratio
    project/floor taken pair by pair (so a machine whose speed drifts still compares like
    with like). Each figure is a :func:`spread`; ``output`` is the project's last output;
    ``ok``: the project's exit statuses that are no failure."""
    pairs = [(whole_process(project, ok), whole_process(floor)) for _ in range(runs + 1)][1:]
    return {
        "project_s": spread([p["wall"] for p, _ in pairs]),
        "floor_s": spread([f["wall"] for _, f in pairs]),
        "ratio": spread([p["wall"] / f["wall"] for p, f in pairs]),
        "project_mb": spread([p["peak"] for p, _ in pairs]),
        "floor_mb": spread([f["peak"] for _, f in pairs]),
        "runs": runs,
        "output": pairs[-1][0]["out"],
    }


def spread_text(figure: dict[str, float], unit: str, digits: int) -> str:
    """``1.23 s (1.10-1.40)``: the median, then the minimum and maximum."""
    return (
        f"{figure['median']:.{digits}f} {unit} ({figure['min']:.{digits}f}-"
        f"{figure['max']:.{digits}f})"
    )
