"""Benchmark: parse_swipe over 100,000 swipes of mixed kinds against a 10-rule file.

Measured in-process (the parsing function, not the CLI's JSON printing), in the same run:

- the floor: one precompiled ``re.search`` per swipe (the campus rule's pattern), the least any
  regex-based parser could do;
- ``parse_swipe(text, rules, reader)``: framing removed, payment/encrypted guard, noise and
  misread checks, ISO 7813 tracks, then up to 10 ordered rules with reader restrictions.

The swipes mimic a busy kiosk: campus ISO cards (tracks 1+2, serial framing, ID TECH's CR
between tracks), track-2-only cards, prox numbers, MIFARE UIDs, barcodes, QR URLs, bank
cards (refused), encrypted readers, misreads and noise, each with random ids.
Prints swipes/s for both, and their ratio, by the wall clock and by the CPU time the process
used (other processes sharing the cores slow the first down, much less the second).
Target: > 300,000 swipes/s on one core (issue 15).

Usage: python benchmarks/parse_swipes.py [--swipes 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import time
from collections import Counter
from collections.abc import Callable

from kiosk.cards.luhn import luhn_check_digit
from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import RuleSet, rules_from_toml

TARGET_PER_SECOND = 300_000

RULES_TOML = r"""
[guard]
campus_prefixes = ["600999"]

[[rules]]
name = "campus-iso"
pattern = ';600999(\d{9})\d='

[[rules]]
name = "id-plus-issue-code"
pattern = ';(\d{9})\d{2}\?'

[[rules]]
name = "facility-separated"
track = 2
pattern = '^4821=(\d+)='
transforms = ["strip_leading_zeros"]

[[rules]]
name = "timeclock-card"
track = [2, 1]
pattern = '^(\d{8})$'

[[rules]]
name = "track3-id"
pattern = '[;+](\d{10})\?'

[[rules]]
name = "pcprox-card-number"
reader = "pcprox"
pattern = '^(\d{1,10})$'
transforms = ["low_bits:16"]

[[rules]]
name = "pcprox-fac-id"
reader = "pcprox"
pattern = '^\d+:(\d+)$'
transforms = ["strip_leading_zeros"]

[[rules]]
name = "mifare-uid-reversed"
reader = "nfc"
pattern = '^([0-9A-F]{8}|[0-9A-F]{14})$'
transforms = ["reverse_bytes"]

[[rules]]
name = "id-barcode"
reader = "scanner"
pattern = '^\*?(\d{9})\*?$'

[[rules]]
name = "mobile-id-qr"
reader = "scanner"
pattern = '^https://id\.example\.edu/v/(\d{9})(?:\?|$)'
"""


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _campus_pan(rng: random.Random) -> str:
    partial = "600999" + _digits(rng, 9)
    return partial + luhn_check_digit(partial)


def _visa(rng: random.Random) -> str:
    partial = "4" + _digits(rng, 14)
    return partial + luhn_check_digit(partial)


# (weight, reader, maker)
KINDS: list[tuple[int, str, Callable[[random.Random], str]]] = [
    (
        25,
        "magstripe",
        lambda r: (p := _campus_pan(r))
        and f"%B{p}^STUDENT/SAM^2908120000000000?;{p}=29081200000000000?",
    ),
    (
        8,
        "serial",
        lambda r: (p := _campus_pan(r))
        and f"\x02\x1b%B{p}^STUDENT/SAM^2908120000000000?;{p}=29081200000000000?\r\x03",
    ),
    (
        7,
        "magstripe",
        lambda r: (p := _campus_pan(r))
        and f"%B{p}^STUDENT/SAM^2908120000000000?\r\n;{p}=29081200000000000?\r\n",
    ),
    (10, "magstripe", lambda r: f";{_digits(r, 9)}0{r.randint(0, 3)}?"),
    (4, "magstripe", lambda r: f";4821=00{_digits(r, 8)}=1=290630?"),
    (3, "magstripe", lambda r: (n := _digits(r, 8)) and f"%{n}?;{n}?"),
    (3, "magstripe", lambda r: f"+{_digits(r, 10)}?"),
    (10, "pcprox", lambda r: str((42 << 16) | r.randint(0, 65535))),
    (4, "pcprox", lambda r: f"042:{r.randint(0, 65535)}"),
    (6, "nfc", lambda r: "".join(r.choice("0123456789ABCDEF") for _ in range(8))),
    (5, "scanner", lambda r: f"*9{_digits(r, 8)}*"),
    (3, "scanner", lambda r: f"https://id.example.edu/v/9{_digits(r, 8)}?t=Qx7Lm2"),
    (3, "magstripe", lambda r: (v := _visa(r)) and f"%B{v}^CARDHOLDER/TEST^2812101?;{v}=2812101?"),
    (1, "magstripe", lambda r: ";4111********1111=2812****?|0600|9A9A9A9A|"),
    (3, "magstripe", lambda r: r.choice(["%E?;E?", ";60099990123", ";6009999012x34567=29?"])),
    (3, "serial", lambda r: r.choice(["\x02\x1b1\r\x03", "21088838A01\r", "\r"])),
]


def make_swipes(count: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    weights = [weight for weight, _, _ in KINDS]
    chosen = rng.choices(KINDS, weights=weights, k=count)
    return [(maker(rng), reader) for _, reader, maker in chosen]


Clock = Callable[[], float]


def time_floor(
    swipes: list[tuple[str, str]], pattern: re.Pattern[str], clock: Clock = time.perf_counter
) -> float:
    search = pattern.search
    start = clock()
    for text, _reader in swipes:
        search(text)
    return clock() - start


def time_parse(
    swipes: list[tuple[str, str]], rules: RuleSet, clock: Clock = time.perf_counter
) -> float:
    parse = parse_swipe
    start = clock()
    for text, reader in swipes:
        parse(text, rules, reader)
    return clock() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swipes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    args = parser.parse_args()

    rules = rules_from_toml(RULES_TOML)
    assert len(rules.rules) == 10
    swipes = make_swipes(args.swipes)
    floor_pattern = re.compile(rules.rules[0].pattern)
    statuses = Counter(parse_swipe(text, rules, reader).status for text, reader in swipes)

    gc.disable()
    times = {}
    for clock_name, clock in (("wall", time.perf_counter), ("cpu", time.process_time)):
        floor = min(time_floor(swipes, floor_pattern, clock) for _ in range(args.repeat))
        parse = min(time_parse(swipes, rules, clock) for _ in range(args.repeat))
        times[clock_name] = (floor, parse)
    gc.enable()

    print(f"swipes: {args.swipes:,} of mixed kinds, 10-rule file, best of {args.repeat}")
    print("statuses: " + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())))
    for clock_name, (floor, parse) in times.items():
        floor_rate, parse_rate = args.swipes / floor, args.swipes / parse
        print(f"[{clock_name} clock]")
        print(f"  floor  (one precompiled re.search per swipe): {floor_rate:12,.0f} swipes/s")
        print(f"  parse_swipe (guard, tracks, 10 rules):        {parse_rate:12,.0f} swipes/s")
        print(f"  ratio parse_swipe / floor time: {parse / floor:.1f}x slower than the floor")
        verdict = "meets" if parse_rate > TARGET_PER_SECOND else "MISSES"
        print(f"  target > {TARGET_PER_SECOND:,} swipes/s: {verdict}")
        per_swipe, per_floor = parse / args.swipes * 1e6, floor / args.swipes * 1e6
        print(f"  per swipe: {per_swipe:.2f} us (floor {per_floor:.2f} us)")


if __name__ == "__main__":
    main()
