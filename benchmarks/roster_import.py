"""Roster import speed and memory, project beside a streamed floor, from one run.

Generates a realistic Handshake Student CSV (all columns, several majors, minors, colleges
and campuses, card_ids with leading zeros) and a copy with 1% of the rows changed, then
measures on SQLite (and on PostgreSQL with ``--pg URL``, default $KIOSK_BENCH_PG_URL):

- first import: ``kiosk import`` into an empty database, against the floor: Python's csv
  module streaming the rows into one ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) into
  the same student table, same pragmas, one transaction;
- re-import with 1% of the rows changed: ``kiosk import`` of the changed file over the
  imported roster, against the floor: the rows streamed into a temporary table (executemany
  or COPY), then one ``UPDATE … FROM`` of the rows that differ (it writes only what changed);
- peak memory of ``kiosk import`` at ``--rows`` and ``--memory-rows`` rows (flat in the row
  count is the target), beside the floors'.

Each figure is measured whole-process (``kiosk import`` as its own process, against the
floor as its own Python process that imports only csv and sqlite3 or psycopg; peak RSS from
``getrusage`` of that process; the kiosk runs as installed, its modules compiled to bytecode
like the floor's standard library: ``_common.run_installed_copy``) and in-process
(``import_roster`` timed inside a process that has already imported the kiosk, against the
floor's own timer). Floors and imports
alternate, run by run; a re-import alternates the changed and the original file (each a 1%
change of the roster the previous run left). ``--repeat N`` runs each N times (median,
min-max).

Usage: ``python benchmarks/roster_import.py [--rows 100000] [--memory-rows 200000]
[--repeat 1] [--pg URL] [--json OUT]``. ``--json`` writes every figure (machine, date, load
average, each measurement's seconds, peak MB and ratio to its floor) and ``summary``, the
rows benchmarks/report.py puts in README.md and docs/roster.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

TARGET_FIRST = 2.0
TARGET_AGAIN = 1.5
TARGET_PEAK_MB = 150.0

MAJORS = [
    "Biology", "Chemistry", "Computer Science", "Economics", "English", "History",
    "Mathematics", "Mechanical Engineering", "Nursing", "Physics", "Political Science",
    "Psychology", "Sociology", "Business Administration", "Electrical Engineering", "Art",
]
MINORS = ["", "", "", "Spanish", "Statistics", "Music", "Data Science", "Philosophy"]
COLLEGES = {
    "College of Arts and Sciences": MAJORS[:7] + MAJORS[9:13] + ["Art"],
    "College of Engineering": ["Mechanical Engineering", "Electrical Engineering"],
    "School of Nursing": ["Nursing"],
    "School of Business": ["Business Administration"],
}
COLLEGE_OF = {major: college for college, majors in COLLEGES.items() for major in majors}
CAMPUSES = ["Main Campus", "Downtown Campus", "North Campus"]
FIRST = ["Alex", "Maria", "Wei", "Aisha", "Jordan", "Priya", "Liam", "Sofia", "Mateo", "Hannah",
         "Noah", "Chloe", "Ethan", "Fatima", "Lucas", "Emma", "Daniel", "Grace", "Samuel", "Zoe"]
LAST = ["Smith", "Garcia", "Nguyen", "Patel", "Kim", "Okafor", "Rossi", "Cohen", "Brown",
        "Silva", "Tanaka", "Eze", "Haddad", "Ramos", "Lee", "Wright", "Mensah", "Khan"]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """A ``rows``-row Handshake Student CSV (tests/reliability/import_kill.py uses it too)."""
    from kiosk.roster.schema import COLUMNS, SCHOOL_YEARS

    rng = random.Random(seed)
    headers = [column.header for column in COLUMNS]
    card_ids = rng.sample(range(10**9), rows)  # printed as 10 digits: leading zeros
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for n in range(rows):
            major = rng.choice(MAJORS)
            majors = major if rng.random() < 0.85 else f"{major};{rng.choice(MAJORS)}"
            if majors.count(";") and majors.split(";")[0] == majors.split(";")[1]:
                majors = major
            start = rng.randint(2019, 2026)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            row = {
                "email_address": f"{first.lower()}.{last.lower()}{n}@example.edu",
                "username": f"S{n + 1000000}",
                "first_name": first,
                "auth_identifier": f"sso-{n:07d}",
                "school_year_name": rng.choice(SCHOOL_YEARS[:4]),
                "primary_education:cumulative_gpa": f"{rng.uniform(1.5, 4.0):.2f}",
                "primary_education:major_names": majors,
                "primary_education:education_level_name": "Bachelors",
                "last_name": last,
                "middle_name": rng.choice(["", "", "J", "Marie"]),
                "preferred_name": rng.choice(["", "", "", "Sam"]),
                "additional_email_addresses": "",
                "primary_education:department_gpa": f"{rng.uniform(2.0, 4.0):.2f}",
                "primary_education:primary_major_name": major,
                "primary_education:minor_names": rng.choice(MINORS),
                "primary_education:college_names": COLLEGE_OF[major],
                "primary_education:primary_college_name": COLLEGE_OF[major],
                "primary_education:start_date": f"{start}-08-2{rng.randint(0, 8)}",
                "primary_education:end_date": f"{start + 4}-05-1{rng.randint(0, 8)}",
                "primary_education:currently_attending": "TRUE",
                "card_id": f"{card_ids[n]:010d}",
                "campus_name": rng.choice(CAMPUSES),
                "ethnicity": rng.choice(["", "Hispanic or Latino", "Asian", "White"]),
                "gender": rng.choice(["", "Female", "Male", "Non-binary"]),
                "work_study_eligible": rng.choice(["TRUE", "FALSE"]),
                "athlete": rng.choice(["TRUE", "FALSE", "FALSE", "FALSE"]),
                "first_generation": rng.choice(["TRUE", "FALSE"]),
                "veteran": "FALSE",
                "eu_gdpr_subject": "FALSE",
                "disabled": "FALSE",
                "system_label_names": rng.choice(["", "honors", "honors;transfer"]),
                "mobile_number": f"555{rng.randint(0, 9999999):07d}",
                "assigned_to_email_address": "advisor@example.edu",
                "hometown_location_attributes:name": rng.choice(["Austin, TX", "Columbus, OH"]),
            }
            writer.writerow([row[h] for h in headers])


def change_one_percent(source: Path, target: Path) -> int:
    with source.open(encoding="utf-8", newline="") as reader_handle, \
            target.open("w", encoding="utf-8", newline="") as writer_handle:
        reader, writer = csv.reader(reader_handle), csv.writer(writer_handle)
        header = next(reader)
        writer.writerow(header)
        gpa = header.index("primary_education:cumulative_gpa")
        changed = 0
        for n, row in enumerate(reader):
            if n % 100 == 0:
                row[gpa] = "4.00" if row[gpa] != "4.00" else "3.99"
                changed += 1
            writer.writerow(row)
    return changed



# --------------------------------------------------------------------------- floors
# Run as their own processes: they import nothing of the kiosk (the columns come in argv).


def _floor_rows(roster: Path, columns: dict[str, str], now: str) -> tuple[list[str], Any]:
    """The floor's insert columns and a generator of its rows, streamed from the CSV."""
    handle = roster.open(encoding="utf-8-sig", newline="")
    reader = csv.reader(handle)
    header = next(reader)
    names = [columns[h] for h in header]
    email = header.index("email_address")

    def rows() -> Any:
        with handle:
            for row in reader:
                yield (*[cell or None for cell in row], row[email].lower(), False, now, now)

    return [*names, "email_key", "archived", "created_at", "updated_at"], rows()


def _update_changed(names: list[str], table: str, postgres: bool) -> str:
    differs = "IS DISTINCT FROM" if postgres else "IS NOT"
    values = [n for n in names if n not in ("archived", "created_at")]
    sets = ", ".join(f"{n} = {table}.{n}" for n in values)
    changed = " OR ".join(f"student.{n} {differs} {table}.{n}" for n in values
                          if n != "updated_at")
    return (f"UPDATE student SET {sets} FROM {table} WHERE student.username = "
            f"{table}.username AND ({changed})")


def floor(kind: str, db: str, roster: Path, columns: dict[str, str]) -> dict[str, float]:
    """``first``: insert every row; ``again``: stage every row, update those that differ."""
    import resource

    started = time.perf_counter()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    names, rows = _floor_rows(roster, columns, now)
    if db.startswith("postgresql"):
        import psycopg

        with psycopg.connect(db.replace("+psycopg", "")) as connection:
            target = "student"
            if kind == "again":
                target = "floor_staging"
                connection.execute(f"CREATE TEMPORARY TABLE {target} AS SELECT "
                                   f"{', '.join(names)} FROM student WITH NO DATA")
            with connection.cursor() as cursor, cursor.copy(
                f"COPY {target} ({', '.join(names)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            if kind == "again":
                connection.execute(_update_changed(names, target, postgres=True))
    else:
        import sqlite3

        connection = sqlite3.connect(db.removeprefix("sqlite:///"), isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            connection.execute(f"PRAGMA {pragma}")
        target = "student"
        if kind == "again":
            target = "floor_staging"
            connection.execute(f"CREATE TEMP TABLE {target} ({', '.join(names)})")
        connection.execute("BEGIN")
        marks = ", ".join("?" for _ in names)
        connection.executemany(f"INSERT INTO {target} ({', '.join(names)}) VALUES ({marks})",
                               rows)
        if kind == "again":
            connection.execute(_update_changed(names, target, postgres=False))
        connection.execute("COMMIT")
        connection.close()
    return {"seconds": time.perf_counter() - started,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# --------------------------------------------------------------------------- the project


def project_in_process(db: str, roster: Path) -> dict[str, float]:
    """``import_roster`` timed inside this process (the kiosk's modules already imported)."""
    from _common import peak_mb

    from kiosk.db.session import open_database
    from kiosk.roster import import_roster

    engine = open_database(db)
    started = time.perf_counter()
    report = import_roster(engine, roster)
    seconds = time.perf_counter() - started
    assert report.refused is None, report.refused
    return {"seconds": seconds, "peak_mb": peak_mb(), "created": report.created,
            "updated": report.updated, "unchanged": report.unchanged}


# --------------------------------------------------------------------------- measuring


def _columns() -> dict[str, str]:
    from kiosk.roster.schema import COLUMNS

    return {column.header: column.attribute for column in COLUMNS}


def _child(phase: str, db: str, roster: Path) -> list[str]:
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", phase, "--db", db,
               "--roster", str(roster)]
    if phase.startswith("floor"):
        command += ["--columns", json.dumps(_columns())]
    return command


#: Runs one command and prints its figures. A launcher of its own keeps the peak honest: a
#: child's peak RSS counts the memory of the process it was forked from, and this script
#: has imported the kiosk.
_LAUNCH = """
import json, os, subprocess, sys, time
with open(sys.argv[1], "wb") as out, open(sys.argv[2], "wb") as err:
    started = time.perf_counter()
    process = subprocess.Popen(sys.argv[3:], stdout=out, stderr=err)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak": usage.ru_maxrss / 1024, "rc": os.waitstatus_to_exitcode(status)}))
"""


def _whole(command: list[str]) -> dict[str, Any]:
    """One run of ``command`` as its own process: wall seconds, CPU seconds (user + system)
    and peak RSS from the kernel's accounting of that process (``wait4``), and the JSON its
    last line printed, if any."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        launched = subprocess.run([sys.executable, "-c", _LAUNCH, str(out), str(err), *command],
                                  capture_output=True, text=True, check=True)
        figures = json.loads(launched.stdout)
        if figures["rc"] != 0:
            raise SystemExit(f"{' '.join(command[:6])} failed:\n"
                             f"{err.read_text(errors='replace')[-3000:]}")
        text = out.read_text(errors="replace").strip()
    last = text.splitlines()[-1] if text else ""
    return {"wall": figures["wall"], "cpu": figures["cpu"], "peak": figures["peak"],
            "inner": json.loads(last) if last.startswith("{") else None}


class Databases:
    """Empty databases to import into: SQLite files copied from one migrated template, or
    the PostgreSQL database emptied."""

    def __init__(self, directory: Path, pg_url: str | None) -> None:
        from kiosk.db.session import open_database

        self.directory, self.pg_url, self.count = directory, pg_url, 0
        self.template = directory / "template.sqlite3"
        open_database(f"sqlite:///{self.template}").dispose()
        if pg_url is not None:
            open_database(pg_url).dispose()

    def fresh(self, backend: str) -> str:
        if backend == "postgresql":
            from kiosk.db.engine import make_engine

            assert self.pg_url is not None
            engine = make_engine(self.pg_url)
            with engine.begin() as connection:
                connection.exec_driver_sql(
                    "TRUNCATE student, audit_event, roster_version RESTART IDENTITY CASCADE")
            engine.dispose()
            return self.pg_url
        self.count += 1
        path = self.directory / f"db-{self.count}.sqlite3"
        shutil.copy(self.template, path)
        return f"sqlite:///{path}"


def _spread(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def measure(backend: str, dbs: Databases, rosters: tuple[Path, Path], repeat: int
            ) -> dict[str, Any]:
    """First import and 1% re-import: the floor, ``kiosk import`` and ``import_roster``,
    ``repeat`` times each, alternating."""
    from _common import kiosk_command

    kiosk = kiosk_command()
    runs: dict[str, list[dict[str, Any]]] = {}

    def record(name: str, result: dict[str, Any]) -> None:
        runs.setdefault(name, []).append(result)

    for attempt in range(repeat):
        again_file = rosters[1] if attempt % 2 == 0 else rosters[0]
        db = dbs.fresh(backend)
        record("floor first", _whole(_child("floor-first", db, rosters[0])))
        record("floor again", _whole(_child("floor-again", db, again_file)))
        db = dbs.fresh(backend)
        record("kiosk first", _whole([*kiosk, "--db", db, "import", str(rosters[0])]))
        record("kiosk again", _whole([*kiosk, "--db", db, "import", str(again_file)]))
        db = dbs.fresh(backend)
        record("in first", _whole(_child("import", db, rosters[0])))
        record("in again", _whole(_child("import", db, again_file)))
    figures: dict[str, Any] = {}
    for step in ("first", "again"):
        floors, kiosks, inside = runs[f"floor {step}"], runs[f"kiosk {step}"], runs[f"in {step}"]
        figures[step] = {
            "whole_process": {
                "project_s": _spread([r["wall"] for r in kiosks]),
                "floor_s": _spread([r["wall"] for r in floors]),
                "ratio": _spread([k["wall"] / f["wall"] for k, f in zip(kiosks, floors,
                                                                        strict=True)]),
                "project_cpu_s": _spread([r["cpu"] for r in kiosks]),
                "floor_cpu_s": _spread([r["cpu"] for r in floors]),
                "cpu_ratio": _spread([k["cpu"] / f["cpu"] for k, f in zip(kiosks, floors,
                                                                          strict=True)]),
                "project_peak_mb": _spread([r["peak"] for r in kiosks]),
                "floor_peak_mb": _spread([r["peak"] for r in floors]),
            },
            "in_process": {
                "project_s": _spread([r["inner"]["seconds"] for r in inside]),
                "floor_s": _spread([r["inner"]["seconds"] for r in floors]),
                "ratio": _spread([i["inner"]["seconds"] / f["inner"]["seconds"]
                                  for i, f in zip(inside, floors, strict=True)]),
                "project_peak_mb": _spread([r["peak"] for r in inside]),
            },
        }
    counts = runs["in again"][0]["inner"]
    figures["again"]["updated"], figures["again"]["unchanged"] = (counts["updated"],
                                                                  counts["unchanged"])
    return figures


def memory(dbs: Databases, roster: Path) -> dict[str, float]:
    """Peak RSS of ``kiosk import`` (first import, then the same file again) and of the
    floor, on SQLite."""
    from _common import kiosk_command

    db = dbs.fresh("sqlite")
    first = _whole([*kiosk_command(), "--db", db, "import", str(roster)])
    again = _whole([*kiosk_command(), "--db", db, "import", str(roster)])
    floor_run = _whole(_child("floor-first", dbs.fresh("sqlite"), roster))
    return {"first_peak_mb": first["peak"], "again_peak_mb": again["peak"],
            "floor_peak_mb": floor_run["peak"], "first_s": first["wall"]}


def machine() -> dict[str, Any]:
    model = platform.machine()
    for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "sqlite": __import__("sqlite3").sqlite_version}


def _seconds(figure: dict[str, float]) -> str:
    return f"{figure['median']:.2f} s"


def _ratio(figure: dict[str, float]) -> str:
    if figure["min"] == figure["max"]:
        return f"{figure['median']:.2f}x"
    return f"{figure['median']:.2f}x ({figure['min']:.2f}-{figure['max']:.2f})"


def summary_rows(results: dict[str, Any]) -> list[dict[str, str]]:
    """The rows benchmarks/report.py puts in README.md and docs/roster.md."""
    rows = results["rows"]
    table: list[dict[str, str]] = []
    for backend, figures in results["databases"].items():
        name = "SQLite" if backend == "sqlite" else "PostgreSQL"
        floor_first = "csv + executemany" if backend == "sqlite" else "csv + COPY"
        floor_again = f"{floor_first} into a temp table + one UPDATE … FROM of the changed rows"
        for step, label, floor_text, target in (
            ("first", f"`kiosk import` {rows:,} rows, {name}, first import", floor_first,
             TARGET_FIRST),
            ("again", f"`kiosk import` {rows:,} rows, {name}, re-import with 1% changed",
             floor_again, TARGET_AGAIN),
        ):
            whole, inside = figures[step]["whole_process"], figures[step]["in_process"]
            table.append({
                "figure": f"{label} (whole process; in-process)",
                "project": f"{_seconds(whole['project_s'])}; {_seconds(inside['project_s'])}",
                "floor": f"{floor_text}: {_seconds(whole['floor_s'])}; "
                         f"{_seconds(inside['floor_s'])}",
                "ratio": f"{_ratio(whole['ratio'])} (CPU time {_ratio(whole['cpu_ratio'])}); "
                         f"{_ratio(inside['ratio'])}",
                "target": f"≤ {target:g}x",
            })
    mem = results.get("memory")
    if mem:
        sizes = sorted(mem, key=int)
        peaks = "; ".join(f"{int(n):,} rows: {mem[n]['first_peak_mb']:.0f} MB first, "
                          f"{mem[n]['again_peak_mb']:.0f} MB re-import" for n in sizes)
        floors = "; ".join(f"{int(n):,}: {mem[n]['floor_peak_mb']:.0f} MB" for n in sizes)
        largest = mem[sizes[-1]]
        table.append({
            "figure": "peak memory of `kiosk import` (SQLite, whole process)",
            "project": peaks,
            "floor": f"streamed floor: {floors}",
            "ratio": f"{max(largest['first_peak_mb'], largest['again_peak_mb']):.0f} MB at "
                     f"{int(sizes[-1]):,} rows",
            "target": f"≤ {TARGET_PEAK_MB:g} MB at 200,000 rows, flat in the row count",
        })
    return table


def _print(results: dict[str, Any]) -> None:
    print(f"{'measurement':<44}{'kiosk s':>9}{'floor s':>9}{'x floor':>9}{'peak MB':>9}"
          f"{'floor MB':>9}{'CPU x':>7}")
    for backend, figures in results["databases"].items():
        for step in ("first", "again"):
            for how in ("whole_process", "in_process"):
                f = figures[step][how]
                label = f"{backend} {'first' if step == 'first' else 're-import 1%'} ({how})"
                floor_mb = f.get("floor_peak_mb")
                cpu = f.get("cpu_ratio")
                print(f"{label:<44}{f['project_s']['median']:>9.2f}{f['floor_s']['median']:>9.2f}"
                      f"{f['ratio']['median']:>9.2f}{f['project_peak_mb']['median']:>9.0f}"
                      f"{'' if floor_mb is None else format(floor_mb['median'], '.0f'):>9}"
                      f"{'' if cpu is None else format(cpu['median'], '.2f'):>7}")
    for rows, figure in sorted(results.get("memory", {}).items(), key=lambda i: int(i[0])):
        print(f"memory at {int(rows):,} rows: kiosk import {figure['first_peak_mb']:.0f} MB "
              f"(first), {figure['again_peak_mb']:.0f} MB (same file again); floor "
              f"{figure['floor_peak_mb']:.0f} MB")
    for row in results["summary"]:
        print(f"- {row['figure']}: {row['project']} | {row['floor']} | {row['ratio']} | "
              f"target {row['target']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the timed roster")
    parser.add_argument("--memory-rows", type=int, default=200_000,
                        help="also measure peak memory at this many rows (0: skip)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement")
    parser.add_argument("--pg", default=os.environ.get("KIOSK_BENCH_PG_URL"),
                        help="a PostgreSQL URL to measure too (its tables are emptied!)")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--phase", choices=["floor-first", "floor-again", "import"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--roster", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--columns", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        if args.phase == "import":
            print(json.dumps(project_in_process(args.db, args.roster)))
        else:
            kind = args.phase.removeprefix("floor-")
            print(json.dumps(floor(kind, args.db, args.roster, json.loads(args.columns))))
        return
    sys.path.insert(0, str(HERE))
    results: dict[str, Any] = {
        "benchmark": "roster_import", "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "load_before": os.getloadavg()[0], "rows": args.rows,
        "repeat": args.repeat, "databases": {}, "memory": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        from _common import run_installed_copy

        run_installed_copy(directory / "installed")  # the kiosk's modules as bytecode
        roster, changed_roster = directory / "roster.csv", directory / "roster-1pct.csv"
        generate(roster, args.rows)
        changed = change_one_percent(roster, changed_roster)
        print(f"roster: {args.rows:,} rows, {roster.stat().st_size / 2**20:.1f} MB; "
              f"{changed:,} rows changed for the re-import; load average "
              f"{os.getloadavg()[0]:.2f}", flush=True)
        dbs = Databases(directory, args.pg)
        backends = ["sqlite"] + (["postgresql"] if args.pg else [])
        for backend in backends:
            figures = measure(backend, dbs, (roster, changed_roster), args.repeat)
            assert figures["again"]["updated"] == changed, figures["again"]
            results["databases"][backend] = figures
        results["memory"][str(args.rows)] = memory(dbs, roster)
        if args.memory_rows and args.memory_rows != args.rows:
            big = directory / "roster-memory.csv"
            generate(big, args.memory_rows)
            results["memory"][str(args.memory_rows)] = memory(dbs, big)
    results["load_after"] = os.getloadavg()[0]
    results["summary"] = summary_rows(results)
    _print(results)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
