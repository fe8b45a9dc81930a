"""Benchmark: ``kiosk verify`` with 100,000 roster card_ids against 100,000 swipes.

Prints, all measured in this run:

- the floor: Python's csv module reading the card_ids (from a roster with all 34 Handshake
  columns, as schools export it), plus building one pyahocorasick automaton over them and
  one pass of it over the swipe lines;
- a whole ``kiosk verify --roster R.csv --swipes S.txt --json`` run, and the same with
  ``--rules F``, each as ``kiosk.cli.main()`` called in-process in a fresh child interpreter
  (imports done before the clock starts, stdout to a file), best of 3: its ratio to the
  floor (target: at most 2x) in wall-clock and in CPU time (the machine may be shared), the
  child's peak memory (target: under 500 MB), and whether its JSON output is byte for byte
  that of the per-swipe path (``verify(..., one_by_one=True)``, run here in the parent);
- the CPU time of parts of a run measured alone (reading the roster file, building the
  card_id index and freeing it: the floor's clock stops before its automaton is freed, a
  run's does not; read_capture; checking the swipes together; the JSON output) and of the
  per-swipe path over every swipe, for comparison;
- the headline, whole processes from spawn to exit (interpreter start-up and imports
  included): the ``kiosk verify`` console command and the floor as its own ``python``
  process, in turn, --runs times each; median (min-max) and the ratio pair by pair
  (target: at most 1.5x). The kiosk runs as installed: a copy of the project compiled to
  bytecode (``_common.run_installed_copy``), as the floor's modules are;
- the roster's contained-in-another analysis (find_nested) for 100,000 card_ids (target: < 5 s);
- the speed-up of the card_id index (for this roster of one length, digit windows; an
  automaton for others) over a naive loop (every card_id tested against every swipe,
  and every card_id against every other) on a 2,000-row sample, and what the naive loop
  would take at full size.

Usage: python benchmarks/verify_100k.py [--rows N] [--sample N] [--runs N] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import kiosk_command, paired, run_installed_copy, spread_text

from drivers.capture import escape_swipe
from kiosk.cards.card_ids import CardIdIndex, analyze_card_ids, find_nested
from kiosk.cards.luhn import luhn_check_digit

CAMPUS_IIN = "600999"
RULES_TOML = f"""\
[guard]
campus_prefixes = ["{CAMPUS_IIN}"]

[[rules]]
name = "iso-track2"
pattern = ';{CAMPUS_IIN}(\\d{{9}})\\d='

[[rules]]
name = "id-plus-issue"
pattern = ';(\\d{{9}})\\d{{2}}\\?'

[[rules]]
name = "same-both-tracks"
pattern = '%(\\d{{9}})\\?'
"""


# The Handshake Student CSV's columns, as a school's export carries them (see
# kiosk/samples/roster.csv): verify reads only username and card_id, but parses every row.
HANDSHAKE_COLUMNS = [
    "email_address", "username", "first_name", "auth_identifier", "school_year_name",
    "primary_education:cumulative_gpa", "primary_education:major_names",
    "primary_education:education_level_name", "last_name", "middle_name", "preferred_name",
    "additional_email_addresses", "primary_education:department_gpa",
    "primary_education:primary_major_name", "primary_education:minor_names",
    "primary_education:college_names", "primary_education:primary_college_name",
    "primary_education:start_date", "primary_education:end_date",
    "primary_education:currently_attending", "card_id", "campus_name", "ethnicity", "gender",
    "work_study_eligible", "athlete", "first_generation", "veteran", "eu_gdpr_subject",
    "disabled", "system_label_names", "mobile_number", "assigned_to_email_address",
    "hometown_location_attributes:name",
]


def handshake_row(number: int, card_id: str) -> list[str]:
    username = f"stu{number:06d}"
    email = f"student{number:06d}@example.edu"
    values = {
        "email_address": email, "username": username, "first_name": "Alex",
        "auth_identifier": email, "school_year_name": "Junior",
        "primary_education:cumulative_gpa": "3.41",
        "primary_education:major_names": "Biology;Psychology",
        "primary_education:education_level_name": "Bachelors", "last_name": "Tester",
        "primary_education:primary_major_name": "Biology",
        "primary_education:college_names": "College of Arts and Sciences",
        "primary_education:primary_college_name": "College of Arts and Sciences",
        "primary_education:start_date": "2024-08-20", "primary_education:end_date": "2028-05-10",
        "primary_education:currently_attending": "TRUE", "card_id": card_id,
        "campus_name": "Main Campus", "work_study_eligible": "FALSE", "athlete": "FALSE",
        "first_generation": "FALSE", "veteran": "FALSE", "eu_gdpr_subject": "FALSE",
        "disabled": "FALSE", "mobile_number": "5555550101",
    }
    return [values.get(column, "") for column in HANDSHAKE_COLUMNS]


def make_card_ids(count: int, rng: random.Random) -> list[str]:
    """Distinct 9-digit card_ids (leading zeros included, as a roster would hold them)."""
    return [f"{n:09d}" for n in rng.sample(range(10**9), count)]


def swipe_for(card_id: str, kind: int) -> str:
    """The text a reader would type for this card, in one of three common layouts."""
    if kind == 0:  # track 2 only: printed id + 2-digit issue code
        return f";{card_id}01?"
    if kind == 1:  # ISO campus number on tracks 1 and 2 (campus IIN + id + Luhn digit)
        number = CAMPUS_IIN + card_id
        number += luhn_check_digit(number)
        return f"%B{number}^TESTER/ALEX J^2908120000000000?;{number}=29081200000000000?"
    return f"%{card_id}?;{card_id}?"  # the same number on both tracks


def write_inputs(directory: Path, rows: int, rng: random.Random) -> tuple[Path, Path, Path]:
    card_ids = make_card_ids(rows, rng)
    roster = directory / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HANDSHAKE_COLUMNS)
        for number, card_id in enumerate(card_ids):
            writer.writerow(handshake_row(number, card_id))
    swipes = directory / "swipes.txt"
    order = list(range(rows))
    rng.shuffle(order)
    with swipes.open("w", encoding="utf-8") as handle:
        for position in order:
            handle.write(escape_swipe(swipe_for(card_ids[position], position % 3)) + "\n")
    rules = directory / "rules.toml"
    rules.write_text(RULES_TOML, encoding="utf-8")
    return roster, swipes, rules


# The floor, one definition for both uses: called in this process (floor_seconds) and run as
# a whole process of its own (python -c FLOOR_CODE ROSTER SWIPES), which imports nothing else.
FLOOR_CODE = """\
import csv
import sys

import ahocorasick


def floor(roster, swipes):
    with open(roster, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        at = next(reader).index("card_id")
        card_ids = [row[at] for row in reader]
    automaton = ahocorasick.Automaton()
    for card_id in card_ids:
        automaton.add_word(card_id, card_id)
    automaton.make_automaton()
    found = 0
    with open(swipes, encoding="utf-8") as handle:
        for line in handle:
            for _ in automaton.iter(line):
                found += 1
    assert found >= len(card_ids)
    return found


if __name__ == "__main__":
    print(floor(sys.argv[1], sys.argv[2]))
"""


def floor_seconds(roster: Path, swipes: Path) -> tuple[float, float]:
    """csv reading the card_ids + one automaton + one pass of it over the swipe lines.

    Returns (wall-clock seconds, CPU seconds)."""
    namespace: dict[str, Any] = {}
    exec(FLOOR_CODE, namespace)  # noqa: S102 (the benchmark's own code, above)
    started, cpu_started = time.perf_counter(), time.process_time()
    namespace["floor"](roster, swipes)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return elapsed, cpu


def child_main(argv: list[str], out_path: str) -> None:
    """In the child: ``kiosk.cli.main(argv)`` timed, stdout to ``out_path``; prints figures."""
    import kiosk.cards.parse  # noqa: F401  (imports done before the clock starts)
    import kiosk.verify.analysis  # noqa: F401
    import kiosk.verify.render_json  # noqa: F401
    import kiosk.verify.render_text  # noqa: F401
    from kiosk.cli import build_parser
    from kiosk.cli import main as kiosk_main

    build_parser()  # imports every command module before the clock starts
    real_stdout = sys.stdout
    with open(out_path, "w", encoding="utf-8") as sink:
        sys.stdout = sink
        started, cpu_started = time.perf_counter(), time.process_time()
        status = kiosk_main(argv)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        sys.stdout = real_stdout
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "status": status, "peak_mb": peak_mb}))


def run_child(argv: list[str], out_path: Path) -> dict[str, Any]:
    """``kiosk.cli.main(argv)`` timed in a fresh interpreter; its seconds and peak RSS."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(argv), str(out_path)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    report = json.loads(out_path.read_text(encoding="utf-8"))
    verdicts = ("matched", "ambiguous", "unmatched", "rule_mismatch", "refused", "misread")
    figures["counts"] = {verdict: report[verdict] for verdict in verdicts}
    return figures


def print_breakdown(roster: Path, swipes: Path, rules: Path, floor_cpu: float) -> None:
    """CPU time of the parts of a run (with --rules), each measured alone, to show where the
    time goes; the per-swipe path over every swipe too, for comparison."""
    import gc
    import io

    from drivers.capture import read_capture
    from kiosk.cards.rules import load_rules
    from kiosk.verify.analysis import swipe_checker
    from kiosk.verify.batch import check_swipes
    from kiosk.verify.model import SwipeChecks, VerifyReport
    from kiosk.verify.render_json import render_json_chunks
    from kiosk.verify.roster_source import read_roster_file

    def part(label: str, seconds: float) -> str:
        return f"{label} {seconds:.3f} s ({seconds / floor_cpu:.2f}x)"

    gc.disable()  # as in a run
    started = time.process_time()
    roster_ids = read_roster_file(roster)
    reading_roster = time.process_time() - started
    started = time.process_time()
    index = CardIdIndex(roster_ids.pairs)
    building = time.process_time() - started
    started = time.process_time()
    captured = read_capture(swipes)
    reading = time.process_time() - started
    rule_set = load_rules(rules)
    per_swipe = swipe_checker(index, rule_set, rules_given=True)
    started = time.process_time()
    checks, noise = check_swipes(
        captured, index, rule_set, rules_given=True, reader=None, per_swipe=per_swipe
    )
    checking = time.process_time() - started
    started = time.process_time()
    for swipe in captured:
        per_swipe(swipe.line, swipe.text)
    one_by_one = time.process_time() - started
    report = VerifyReport(roster_ids.source, roster_ids.students, analyze_card_ids(
        roster_ids.pairs, index), SwipeChecks(checks), True, True, noise)
    started = time.process_time()
    io.StringIO().writelines(render_json_chunks(report))
    writing = time.process_time() - started
    del per_swipe, report, checks
    started = time.process_time()
    del index
    freeing = time.process_time() - started
    gc.enable()
    print("  parts measured alone, CPU (x the floor's CPU): "
          + "; ".join([part("roster file", reading_roster), part("card_id index", building),
                       part("freeing the index", freeing), part("read_capture", reading),
                       part("checking the swipes together", checking),
                       part("JSON output", writing)])
          + f"; for comparison, the per-swipe path over every swipe {one_by_one:.3f} s")


def per_swipe_json(roster: Path, swipes: Path, rules: Path | None) -> str:
    """The --json output of the same run, every swipe checked one by one (the reference)."""
    from drivers.capture import read_capture
    from kiosk.cards.rules import load_rules
    from kiosk.verify.analysis import verify
    from kiosk.verify.render_json import render_json
    from kiosk.verify.roster_source import read_roster_file

    rule_set = load_rules(rules) if rules is not None else None
    report = verify(read_roster_file(roster), read_capture(swipes), rule_set, one_by_one=True)
    return render_json(report)


def mixed_length_pairs(count: int, rng: random.Random) -> list[tuple[str | None, str]]:
    """Card_ids of 5 to 12 digits, so many short ones sit inside longer ones."""
    pairs: list[tuple[str | None, str]] = []
    for number in range(count):
        length = rng.randint(5, 12)
        pairs.append((str(rng.randrange(10 ** (length - 1), 10**length)), f"m{number:06d}"))
    return pairs


def time_nested(pairs: list[tuple[str | None, str]]) -> tuple[float, int]:
    started = time.perf_counter()
    found = len(find_nested(pairs))
    return time.perf_counter() - started, found


def naive_contained(card_ids: list[str], texts: list[str]) -> int:
    return sum(1 for text in texts for card_id in card_ids if card_id in text)


def naive_nested(card_ids: list[str]) -> int:
    return sum(1 for a in card_ids for b in card_ids if a != b and a in b)


def summary(figures: dict[str, Any]) -> list[dict[str, str]]:
    """The rows this benchmark gives the performance table (benchmarks/report.py)."""
    whole = figures["whole_process"]
    return [
        {
            "figure": f"`kiosk verify --json`, {figures['rows']:,} card_ids × "
            f"{figures['rows']:,} swipes, whole process",
            "project": f"{spread_text(whole['project_s'], 's', 2)}, peak "
            f"{spread_text(whole['project_mb'], 'MB', 0)}",
            "floor": "csv + one pyahocorasick pass, its own `python` process: "
            f"{spread_text(whole['floor_s'], 's', 2)}",
            "ratio": f"{whole['ratio']['median']:.2f}x",
            "target": "≤ 1.5x",
        }
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5, help="whole-process runs (default 5)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures here")
    parser.add_argument("--child", nargs=2, metavar=("ARGV_JSON", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(json.loads(args.child[0]), args.child[1])
        return 0
    rng = random.Random(20261201)
    figures: dict[str, Any] = {"rows": args.rows}

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        run_installed_copy(directory / "installed")
        roster, swipes, rules = write_inputs(directory, args.rows, rng)
        print(f"verify benchmark: {args.rows:,} roster card_ids, {args.rows:,} swipes "
              f"(3 layouts, rules file with 3 rules and a campus prefix)")

        floors = [floor_seconds(roster, swipes) for _ in range(3)]
        floor, floor_cpu = min(w for w, _ in floors), min(c for _, c in floors)
        print(f"floor (csv reading the card_ids + one automaton pass over the swipes): "
              f"{floor:.3f} s wall, {floor_cpu:.3f} s CPU (best of 3)")

        base = ["--db", f"sqlite:///{directory / 'unused.sqlite3'}", "verify",
                "--roster", str(roster), "--swipes", str(swipes), "--json"]
        # The floor matches card_ids against swipes; so does a plain verify run. With --rules
        # every swipe also goes through the card rules: reported too, against the same floor.
        for label, argv, rules_file in (
            ("roster vs swipes", base, None),
            ("with --rules (3 rules)", [*base, "--rules", str(rules)], rules),
        ):
            runs = [run_child(argv, directory / "report.json") for _ in range(3)]
            child = runs[0]
            print(f"[{label}] verdicts: {child['counts']} (exit status {child['status']})")
            same = (directory / "report.json").read_text(encoding="utf-8") == per_swipe_json(
                roster, swipes, rules_file
            )
            print(f"[{label}] JSON output identical to the per-swipe path's: {same}")
            assert same, "the batch path must give the per-swipe path's report"
            wall = min(run["seconds"] for run in runs)
            cpu = min(run["cpu"] for run in runs)
            peak = max(run["peak_mb"] for run in runs)
            ratio, cpu_ratio = wall / floor, cpu / floor_cpu
            figures["rules" if rules_file else "plain"] = {
                "in_process_s": wall, "in_process_ratio": ratio, "cpu_ratio": cpu_ratio,
                "peak_mb": peak,
            }
            verdict = "OK" if max(ratio, cpu_ratio) <= 2 else "OVER"
            print(f"[{label}] kiosk verify, in-process main() in a fresh interpreter (best of "
                  f"3): {wall:.3f} s wall = {ratio:.2f}x the floor; {cpu:.3f} s CPU = "
                  f"{cpu_ratio:.2f}x the floor's CPU (target <= 2x) {verdict}")
            print(f"[{label}] peak memory of that process: {peak:.0f} MB (target < 500 MB) "
                  f"{'OK' if peak < 500 else 'OVER'}")
        print_breakdown(roster, swipes, rules, floor_cpu)
        # The headline: whole processes from spawn to exit, start-up and imports included,
        # the kiosk and the floor in turn, the ratio pair by pair.
        whole = paired(
            [*kiosk_command(), *base],
            [sys.executable, "-c", FLOOR_CODE, str(roster), str(swipes)],
            args.runs,
            ok=(0, 1),  # 1: the report has findings (the refused payment-like swipes)
        )
        figures["whole_process"] = {k: v for k, v in whole.items() if k != "output"}
        print(f"whole process, `kiosk verify` vs the floor as its own `python` process, "
              f"median of {args.runs} runs (min-max): kiosk "
              f"{spread_text(whole['project_s'], 's', 2)}, floor "
              f"{spread_text(whole['floor_s'], 's', 2)}, ratio "
              f"{spread_text(whole['ratio'], 'x', 2)} (target <= 1.5x); peak memory kiosk "
              f"{spread_text(whole['project_mb'], 'MB', 0)}, floor "
              f"{spread_text(whole['floor_mb'], 'MB', 0)}")

        with roster.open(encoding="utf-8", newline="") as handle:
            pairs = [(row["card_id"], row["username"]) for row in csv.DictReader(handle)]
        nested_seconds, nested_count = time_nested(pairs)
        print(f"contained-in-another analysis (find_nested), this roster ({len(pairs):,} card_ids "
              f"of one length): {nested_seconds:.3f} s, {nested_count} found")
        mixed = mixed_length_pairs(args.rows, rng)
        nested_seconds, nested_count = time_nested(mixed)
        print(f"contained-in-another analysis, {len(mixed):,} card_ids of 5-12 digits (every "
              f"card_id scanned): {nested_seconds:.3f} s, {nested_count:,} found (target < 5 s) "
              f"{'OK' if nested_seconds < 5 else 'OVER'}")

        sample_pairs = pairs[: args.sample]
        sample_ids = [card_id for card_id, _ in sample_pairs]
        with swipes.open(encoding="utf-8") as handle:
            sample_texts = [next(handle) for _ in range(args.sample)]
        started = time.perf_counter()
        naive_hits = naive_contained(sample_ids, sample_texts)
        naive_seconds = time.perf_counter() - started
        started = time.perf_counter()
        index = CardIdIndex(sample_pairs)
        fast_hits = sum(len(index.contained_in(text)) for text in sample_texts)
        fast_seconds = time.perf_counter() - started
        assert naive_hits == fast_hits
        full_naive = naive_seconds * (args.rows / args.sample) ** 2
        print(f"containment on a {args.sample:,}-row sample: naive loop {naive_seconds:.3f} s, "
              f"card_id index {fast_seconds:.4f} s: {naive_seconds / fast_seconds:,.0f}x faster; "
              f"the naive loop at full size would take about {full_naive / 60:,.0f} min")
        started = time.perf_counter()
        naive_nested_count = naive_nested(sample_ids)
        naive_nested_seconds = time.perf_counter() - started
        started = time.perf_counter()
        fast_nested_count = len(find_nested(sample_pairs))
        fast_nested_seconds = time.perf_counter() - started
        assert naive_nested_count == fast_nested_count
        print(f"nested analysis on the same sample: naive {naive_nested_seconds:.3f} s, "
              f"find_nested {fast_nested_seconds:.4f} s: "
              f"{naive_nested_seconds / fast_nested_seconds:,.0f}x faster")
    figures["summary"] = summary(figures)
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
