"""Benchmark: card rules never stall a swipe, and the fast engine keeps the usual rules fast.

Two figures, each with its baseline measured in the same run:

- **Catastrophic patterns** (``(a+)+$``, ``(a|a)*b``, ``(x+x+)+y``, ``(\\d+)*$``,
  ``(.*a){20}``) on adversarial swipes of 1,000 and 4,096 characters, through
  ``parse_swipe``: the time of each, and the ratio 4,096 / 1,000 (linear time: about 4;
  Python's ``re`` takes minutes on 31 characters, so it is not run).
- **The parse_swipes mix** (benchmarks/parse_swipes.py's 100,000 swipes and 10 rules) with the
  rules as loaded (each on ``re`` when proved linear, else RE2) against the same rules all
  forced onto RE2: swipes/s of each and the ratio.

Usage: python benchmarks/rule_engines.py [--swipes 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import time

import re2
from parse_swipes import RULES_TOML, make_swipes, time_parse

from kiosk.cards.parse import MAX_SWIPE_LENGTH, parse_swipe
from kiosk.cards.regex_tree import parse_pattern
from kiosk.cards.rule_regex import RulePattern, to_re2
from kiosk.cards.rules import Rule, RuleSet, rules_from_toml

CATASTROPHIC = [
    ("(a+)+$", "", "a", "!"),
    ("(a|a)*b", "", "a", ""),
    ("(x+x+)+y", "", "x", ""),
    (r"(\d+)*$", "", "1", "!"),
    ("(.*a){20}", "a" * 19, "b", ""),
]


def _swipe(head: str, run: str, tail: str, length: int) -> str:
    return head + run * (length - len(head) - len(tail)) + tail


def _best_parse(text: str, rules: RuleSet, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        parse_swipe(text, rules)
        best = min(best, time.perf_counter() - start)
    return best


def _all_on_re2(rules: RuleSet) -> RuleSet:
    forced = rules_from_toml(RULES_TOML)
    for rule in forced.rules:
        parsed = parse_pattern(rule.pattern)
        search = re2.compile(to_re2(parsed.tree)).search
        pattern = RulePattern(search, parsed.groups, parsed.groupindex, "re2")
        object.__setattr__(rule, "regex", pattern)
    return forced


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swipes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    args = parser.parse_args()

    print("catastrophic patterns, one swipe each, through parse_swipe:")
    for pattern, *shape in CATASTROPHIC:
        rules = RuleSet((Rule("evil", pattern),))
        times = {
            length: _best_parse(_swipe(*shape, length), rules, args.repeat)
            for length in (1000, MAX_SWIPE_LENGTH)
        }
        ratio = times[MAX_SWIPE_LENGTH] / times[1000]
        print(
            f"  {pattern:12} 1,000 chars {times[1000] * 1e3:8.3f} ms   "
            f"4,096 chars {times[MAX_SWIPE_LENGTH] * 1e3:8.3f} ms   ratio {ratio:4.1f}"
        )

    rules = rules_from_toml(RULES_TOML)
    forced = _all_on_re2(rules)
    swipes = make_swipes(args.swipes)
    engines = ", ".join(rule.regex.engine for rule in rules.rules)
    gc.disable()
    loaded = min(time_parse(swipes, rules) for _ in range(args.repeat))
    on_re2 = min(time_parse(swipes, forced) for _ in range(args.repeat))
    gc.enable()
    print(f"parse_swipes mix, {args.swipes:,} swipes, 10 rules (engines as loaded: {engines}):")
    print(f"  rules as loaded:       {args.swipes / loaded:12,.0f} swipes/s")
    print(f"  all rules forced onto RE2: {args.swipes / on_re2:8,.0f} swipes/s")
    print(f"  ratio: RE2 for every rule is {on_re2 / loaded:.1f}x slower")


if __name__ == "__main__":
    main()
