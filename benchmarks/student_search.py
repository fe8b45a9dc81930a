"""Benchmark: staff's student search (kiosk.checkin.search) on a 100,000-student roster.

Prints, all measured in this run on the same synthetic roster (names with accents, preferred
names, archived students):

- building the index (folding every name once): the one-off cost per roster;
- a search with the index (best of 3 per query, over queries staff type: whole names, words
  swapped, typos, beginnings, usernames, emails), p50 and the worst;
- the simple baseline: the same fuzzy score (rapidfuzz's token ratio) computed student by
  student in a Python loop that folds each name as it goes (no index), and the ratio of its
  time to the index's;
- whether the student searched for is the first result of every query, and among the
  results (a typo can tie with another student's name: both are listed).

Usage: python benchmarks/student_search.py [--students N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from rapidfuzz import fuzz

from kiosk.checkin.search import StudentIndex, fold
from kiosk.db.models import Student

FIRST = [
    "Zoë",
    "José",
    "Ana",
    "Łukasz",
    "Søren",
    "Chloé",
    "Mateo",
    "Aisha",
    "Wei",
    "Priya",
    "Noah",
    "Hannah",
    "Björn",
    "Émile",
    "Fatima",
    "Grace",
    "Liam",
    "Olúwaseun",
    "Mía",
    "Ian",
]
LAST = [
    "Ñúñez",
    "García",
    "Müller",
    "O'Connor",
    "Nguyen",
    "Okafor",
    "Kowalski",
    "Dubois",
    "Rossi",
    "Smith",
    "Patel",
    "Kim",
    "Håkansson",
    "Silva",
    "Cohen",
    "Zhang",
    "Bello",
    "Hernández",
    "Lefèvre",
    "Novák",
]


SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ra",
    "to",
    "vu",
    "be",
    "chi",
    "do",
    "fe",
    "ga",
    "ho",
    "ja",
    "ku",
    "le",
    "mo",
    "na",
    "pi",
    "ri",
    "sa",
    "te",
    "wo",
    "ya",
    "zé",
    "ño",
    "ße",
    "lø",
    "ji",
    "qu",
]


def roster(count: int, seed: int = 7) -> list[Student]:
    """Names like a large school's: about 27,000 different last names (three syllables,
    some accented) after the common ones, first names from a short list."""
    rng = random.Random(seed)
    students = []
    for n in range(count):
        first = rng.choice(FIRST)
        if rng.random() < 0.3:
            last = rng.choice(LAST)
        else:
            last = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        suffix = f"{n:06d}"
        students.append(
            Student(
                id=n + 1,
                username=f"u{suffix}",
                email_address=f"{fold(first)}.{fold(last).replace(' ', '')}{suffix}@example.edu",
                email_key="",
                first_name=first,
                last_name=last,
                preferred_name=rng.choice([None, None, None, "Sam", "Alex"]),
                archived=n % 50 == 0,
            )
        )
    return students


def queries(students: list[Student], rng: random.Random) -> list[tuple[str, int]]:
    """(query, id of the student it is meant to find)."""
    picked = rng.sample(students, 8)
    found = []
    for student in picked:
        assert student.id is not None and student.last_name is not None
        last = student.last_name
        found += [
            (f"{fold(student.first_name)} {fold(last)}", student.id),  # accents dropped
            (f"{last} {student.first_name}", student.id),  # words swapped
            (f"{student.first_name} {last[:-1]}x", student.id),  # a typo
            (student.username, student.id),
            (student.email_address.upper(), student.id),
        ]
    return found


def baseline(students: list[Student], query: str, limit: int = 20) -> list[int]:
    """No index: fold and score every student's name for each query."""
    folded = fold(query)
    scored = []
    for student in students:
        name = fold(f"{student.first_name} {student.last_name or ''}")
        score = fuzz.token_ratio(folded, name)
        if student.username == query or student.email_address.lower() == query.lower():
            score = 100.0
        if score >= 75:
            scored.append((score, student.id or 0))
    scored.sort(reverse=True)
    return [student_id for _, student_id in scored[:limit]]


def best_of(runs: int, work: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    args = parser.parse_args()
    students = roster(args.students)
    start = time.perf_counter()
    index = StudentIndex(students)
    built = time.perf_counter() - start
    print(f"students: {len(index):,}; index built in {built:.2f} s")

    rng = random.Random(11)
    asked = queries(students, rng)
    index_times, first_hits, listed = [], 0, 0
    for query, wanted in asked:
        index_times.append(best_of(3, lambda q=query: index.search(q)))
        hits = index.search(query)
        first_hits += bool(hits) and hits[0].student.id == wanted
        listed += any(hit.student.id == wanted for hit in hits)
    p50, worst = statistics.median(index_times), max(index_times)
    print(
        f"index search: p50 {p50 * 1000:.1f} ms, worst {worst * 1000:.1f} ms "
        f"over {len(asked)} queries"
    )
    print(
        f"student searched for: listed first {first_hits}/{len(asked)}, "
        f"among the results {listed}/{len(asked)}"
    )

    sample = asked[:: max(1, len(asked) // 5)]
    base_times = [best_of(1, lambda q=query: baseline(students, q)) for query, _ in sample]
    base_p50 = statistics.median(base_times)
    print(
        f"baseline (Python loop, no index): p50 {base_p50 * 1000:.0f} ms over {len(sample)} queries"
    )
    print(f"ratio baseline / index (p50): {base_p50 / p50:.0f}x")


if __name__ == "__main__":
    main()
