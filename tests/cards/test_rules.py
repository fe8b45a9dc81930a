"""Loading, validating and dumping rules files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.cards.rules import Rule, RuleSet, RulesFileError, dump_rules, load_rules, rules_from_toml

MINIMAL = """
[[rules]]
name = "campus-card"
pattern = ';600999(\\d{9})\\d='
"""


def test_minimal_rule_works_as_written() -> None:
    ruleset = rules_from_toml(MINIMAL)
    (rule,) = ruleset.rules
    assert rule == Rule("campus-card", r";600999(\d{9})\d=")
    assert ruleset.campus_prefixes == ()


def test_full_rule_and_guard() -> None:
    ruleset = rules_from_toml(
        """
[guard]
campus_prefixes = ["600999", "627000"]

[[rules]]
name = "prox"
description = "pcProx card number"
pattern = '^(\\d+)$'
track = [2, 1]
transforms = ["strip_leading_zeros", "zfill:6"]
reader = "pcprox"
enabled = false
"""
    )
    assert ruleset.campus_prefixes == ("600999", "627000")
    (rule,) = ruleset.rules
    assert rule.track == (2, 1)
    assert rule.transforms == ("strip_leading_zeros", "zfill:6")
    assert (rule.reader, rule.enabled, rule.description) == ("pcprox", False, "pcProx card number")


def _error(text: str) -> str:
    with pytest.raises(RulesFileError) as caught:
        rules_from_toml(text)
    assert caught.value.exit_code == 2
    return str(caught.value)


def test_bad_regex_names_rule_key_error_and_position() -> None:
    message = _error("[[rules]]\nname = 'campus'\npattern = ';600999(\\d{9}\\d='\n")
    assert "rule 'campus', key 'pattern'" in message
    assert "missing ), unterminated subpattern at position 7" in message
    lines = message.splitlines()
    assert lines[-2].strip() == r";600999(\d{9}\d="
    assert lines[-1].index("^") == lines[-2].index("(")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[rules]]\npattern = '1'\n", "rule 1 needs a name"),
        ("[[rules]]\nname = 'a'\n", "rule 'a', key 'pattern': is missing"),
        ("[[rules]]\nname = 'a'\npattern = 5\n", "rule 'a', key 'pattern'"),
        ("[[rules]]\nname = 'a'\npattern = '1'\ntrack = 4\n", "rule 'a', key 'track'"),
        ("[[rules]]\nname = 'a'\npattern = '1'\ntrack = '2'\n", "rule 'a', key 'track'"),
        ("[[rules]]\nname = 'a'\npattern = '1'\ntrack = [2, true]\n", "rule 'a', key 'track'"),
        (
            "[[rules]]\nname = 'a'\npattern = '1'\ntransforms = ['unzip']\n",
            "rule 'a', key 'transforms': 'unzip' is not a transform",
        ),
        (
            "[[rules]]\nname = 'a'\npattern = '1'\ntransforms = ['zfill:x']\n",
            "rule 'a', key 'transforms': 'zfill:x' needs a whole number",
        ),
        ("[[rules]]\nname = 'a'\npattern = '1'\nreader = 3\n", "rule 'a', key 'reader'"),
        ("[[rules]]\nname = 'a'\npattern = '1'\nenabled = 'yes'\n", "rule 'a', key 'enabled'"),
        (
            "[[rules]]\nname = 'a'\npattern = '1'\npatern = '2'\n",
            "rule 'a' has an unknown key 'patern'",
        ),
        (
            "[[rules]]\nname = 'a'\npattern = '1'\n[[rules]]\nname = 'a'\npattern = '2'\n",
            "two rules are named 'a'",
        ),
        ("[guard]\ncampus_prefixes = [600999]\n", "'campus_prefixes': 600999 is not a quoted"),
        ("[guard]\ncampus_prefixes = '600999'\n", "'campus_prefixes': must be a list"),
        ("[guard]\nprefixes = ['1']\n", "[guard] has an unknown key 'prefixes'"),
        ("[rule]\nname = 'a'\n", "the file has an unknown key 'rule'"),
        ("rules = 3\n", "'rules' must be written as [[rules]] tables"),
        (
            "[[rules]]\nname = 'a'\npattern = \";(\\d{9})\"\n",
            "write regular expressions between single",
        ),
        ("[[rules]\n", "not valid TOML"),
    ],
)
def test_errors_name_the_rule_and_key(text: str, expected: str) -> None:
    assert expected in _error(text)


def test_load_rules_file_errors(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match="does not exist"):
        load_rules(tmp_path / "missing.toml")
    with pytest.raises(RulesFileError, match="is a directory"):
        load_rules(tmp_path)
    broken = tmp_path / "rules.toml"
    broken.write_text("[[rules]]\nname = 'x'\npattern = '('\n", encoding="utf-8")
    expected = f"In the rules file {broken}: rule 'x', key 'pattern'"
    with pytest.raises(RulesFileError, match=expected):
        load_rules(broken)
    broken.write_bytes(b"\xff\xfe")
    with pytest.raises(RulesFileError, match="not UTF-8"):
        load_rules(broken)


def test_rule_constructed_in_code_is_validated_too() -> None:
    with pytest.raises(RulesFileError, match="key 'pattern'"):
        Rule("x", "(")
    with pytest.raises(RulesFileError, match="key 'transforms'"):
        Rule("x", "1", transforms=("low_bits:0",))
    assert Rule("x", "1", track=2).track == (2,)  # type: ignore[arg-type]


def test_dump_round_trips_the_corpus_rules() -> None:
    path = Path(__file__).resolve().parent.parent / "fixtures" / "cards" / "corpus-rules.toml"
    ruleset = load_rules(path)
    assert rules_from_toml(dump_rules(ruleset)) == ruleset


def test_dump_uses_literal_strings_for_regexes_and_escapes_quotes() -> None:
    ruleset = RuleSet(
        (Rule("it's", r";(\d{9})'?"), Rule("plain", r"^(\d+)$", reader="front desk")),
        ("600999",),
    )
    text = dump_rules(ruleset)
    assert "pattern = '^(\\d+)$'" in text
    assert 'name = "it\'s"' in text
    assert tomllib.loads(text)["rules"][0]["pattern"] == r";(\d{9})'?"
    assert rules_from_toml(text) == ruleset


_names = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != "")
_patterns = st.sampled_from(
    [r"(\d+)", r";(\d{9})\d{2}\?", "it's", '"q"', r"a\\b", "\t(x)", "ü(\\w)"]
)


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(_names, min_size=0, max_size=4, unique=True),
    pattern=_patterns,
    reader=st.none() | _names,
    prefixes=st.lists(st.from_regex(r"[0-9]{1,8}", fullmatch=True), max_size=3),
    enabled=st.booleans(),
    track=st.sampled_from([(), (1,), (2, 1), (3, 2, 1)]),
)
def test_dump_round_trips_any_ruleset(
    names: list[str],
    pattern: str,
    reader: str | None,
    prefixes: list[str],
    enabled: bool,
    track: tuple[int, ...],
) -> None:
    rules = tuple(
        Rule(name, pattern, track, ("upper", "field:2::"), reader, enabled, description=name)
        for name in names
    )
    ruleset = RuleSet(rules, tuple(prefixes))
    assert rules_from_toml(dump_rules(ruleset)) == ruleset
