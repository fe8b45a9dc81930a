"""No rule can stall a swipe (issue 10 point 2): every pattern that loads searches in linear
time, patterns needing backtracking features are refused with a sentence, and the engine a
rule runs in never changes what it finds."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import re2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.capture import CapturedSwipe
from kiosk.cards.parse import MAX_SWIPE_LENGTH, parse_swipe
from kiosk.cards.regex_tree import parse_pattern
from kiosk.cards.rule_regex import compile_rule_pattern, to_re2
from kiosk.cards.rules import Rule, RuleSet, RulesFileError
from kiosk.cli import main
from kiosk.verify.analysis import verify
from kiosk.verify.render_json import render_json
from kiosk.verify.roster_source import RosterCardIds

# (pattern, and the text that makes a backtracking engine take exponential or high-power time:
# a head, then a character repeated to make the text as long as wanted, then a tail)
CATASTROPHIC = [
    ("(a+)+$", "", "a", "!"),
    ("(a|a)*b", "", "a", ""),
    ("(x+x+)+y", "", "x", ""),
    (r"(\d+)*$", "", "1", "!"),
    ("(.*a){20}", "a" * 19, "b", ""),
]


def _adversarial(head: str, run: str, tail: str, length: int) -> str:
    return head + run * (length - len(head) - len(tail)) + tail


@pytest.mark.parametrize("length", [31, 1000, MAX_SWIPE_LENGTH])
def test_adversarial_inputs_are_the_lengths_the_test_claims(length: int) -> None:
    for _, *shape in CATASTROPHIC:
        assert len(_adversarial(*shape, length)) == length


@pytest.mark.parametrize(("pattern", "head", "run", "tail"), CATASTROPHIC)
def test_catastrophic_patterns_answer_on_adversarial_swipes(
    pattern: str, head: str, run: str, tail: str
) -> None:
    """Each would run for minutes (or years) in a backtracking engine. A subprocess with a
    generous wall limit turns a regression into a failure instead of a hung test run: this
    is a hang guard, not a speed assertion."""
    swipes = [_adversarial(head, run, tail, length) for length in (31, 1000, MAX_SWIPE_LENGTH)]
    script = textwrap.dedent(
        """
        import json, sys
        from kiosk.cards.parse import parse_swipe
        from kiosk.cards.rules import Rule, RuleSet
        pattern, swipes = json.loads(sys.stdin.read())
        rule = Rule("evil", pattern)
        rules = RuleSet((rule,))
        for swipe in swipes:
            rule.regex.search(swipe)
            print(parse_swipe(swipe, rules).status, flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps([pattern, swipes]),
        capture_output=True,
        text=True,
        timeout=10 + 10,  # 10 s for the searches, 10 s for starting Python on a busy machine
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.split()) == 3


@pytest.mark.parametrize("pattern", [case[0] for case in CATASTROPHIC])
def test_patterns_that_backtrack_badly_run_in_re2(pattern: str) -> None:
    assert Rule("evil", pattern).regex.engine == "re2"


@pytest.mark.parametrize(
    "pattern",
    [
        r";600999(\d{9})\d=",
        r";(\d{9})\d{2}\?",
        r"^4821=(\d+)=",
        r"^\d+:(\d+)$",
        r"[;+](\d{10})\?",
        r"^([0-9A-F]{8}|[0-9A-F]{14})$",
        r"^https://id\.example\.edu/v/(\d{9})(?:\?|$)",
        r"/v/(\d{9})(?:\?|$)",
        r"(?i)^id:(\w+)$",
        r"=0*([1-9]\d*)=",  # (rules suggest) the last '=' completes a match: the search ends
    ],
)
def test_the_usual_card_layouts_are_proved_safe_for_the_faster_engine(pattern: str) -> None:
    assert Rule("usual", pattern).regex.engine == "re"


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"\d(\d+)=", "unanchored, a digit may start a match and continue one"),
        (r"^(\d+)\d$", "two ways to take each digit"),
        (r"^(12;|1\d=)+$", "two branches go on alike after their shared start"),
        (r"^(\d{1,9})(\d{1,9})(\d{1,9})(\d{1,9})$", "too many ways to split for the budget"),
        (r"=(\d+)=$", "a try may read '=' and then fail at the end: another try starts there"),
    ],
)
def test_patterns_not_proved_safe_go_to_re2(pattern: str, why: str) -> None:
    assert Rule("unproved", pattern).regex.engine == "re2", why


# ---------------------------------------------------------------- refused at load

REFUSED = [
    (r";(?=\d{9})(\d+)", "lookahead `(?=`", "match the text around the card_id instead"),
    (r"(?<=;)\d{9}", "lookbehind `(?<=`", "match the text around the card_id instead"),
    (r";(?!4)(\d{9})", "negative lookahead `(?!`", "match the text around"),
    (r"(?<!\d)(\d{9})", "negative lookbehind `(?<!`", "match the text around"),
    (r"(\d)\1(\d{8})", "a backreference", "write the text the group matches again"),
    (r"(?P<x>\d)(?P=x)", "a backreference", "write the text the group matches again"),
    (r"(;)?(?(1)\d{9}|\d{8})", "a conditional", "write one rule for each layout"),
    (r"(?>;\d+)=", "an atomic group `(?>`", "write the plain form"),
    (r";\d++=", "a possessive quantifier", "write the plain form"),
    (r"\d{1001}", "the repetition count {1001}", "at most 1000"),
    (r"(\d{100}){11}", "inside other counts", "at most 1000"),
    (r"[[:digit:]]", "an unescaped `[`", "escape the character"),
    (r";(.{1000})=", "a pattern this large", "smaller counts"),
    (r";(\d*)+=", "a repeated part that can match nothing", "`a*` rather than `(a*)*`"),
    (r";(?:\d??)*=", "a repeated part that can match nothing", "`a*` rather than `(a*)*`"),
]


@pytest.mark.parametrize(("pattern", "feature", "instead"), REFUSED)
def test_features_a_linear_engine_cannot_run_are_refused_with_one_sentence(
    pattern: str, feature: str, instead: str
) -> None:
    with pytest.raises(RulesFileError) as raised:
        Rule("odd", pattern)
    message = str(raised.value)
    assert message.startswith("rule 'odd', key 'pattern': ")
    assert feature in message and instead in message
    if feature.startswith(("lookahead", "lookbehind", "negative", "a backref", "a cond", "an a")):
        assert "linear-time engine so that no swipe can freeze the kiosk" in message
    assert "\n" not in message


def _rules_file(tmp_path: Path, pattern: str) -> Path:
    path = tmp_path / "card-rules.toml"
    path.write_text(f"[[rules]]\nname = 'peek'\npattern = '{pattern}'\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("pattern", "feature"), [(r";(?=\d{9})(\d+)", "lookahead"), (r"(\d)\1", "backreference")]
)
def test_rules_check_and_parse_refuse_them_with_exit_2_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pattern: str, feature: str
) -> None:
    rules = _rules_file(tmp_path, pattern)
    capture = tmp_path / "swipes.capture"
    capture.write_text(";123456789=?\n", encoding="utf-8")
    for argv in (
        ["rules", "check", str(rules)],
        ["rules", "check", "--rules", str(rules)],
        ["parse", "--rules", str(rules), str(capture)],
    ):
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.count("\n") == 1, captured.err  # one sentence, no traceback
        assert f"rule 'peek', key 'pattern': {feature}" in captured.err.replace("a ", "")
        assert "not supported in card rules" in captured.err


def test_rules_check_takes_the_file_as_a_positional_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = _rules_file(tmp_path, r";(\d{9})=")
    assert main(["rules", "check", str(rules)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{rules}: 1 rule(s)") and "1. peek" in out
    assert main(["rules", "check", str(rules), "--rules", str(rules)]) == 0
    capsys.readouterr()
    assert main(["rules", "check", str(rules), "--rules", str(tmp_path / "other.toml")]) == 2
    assert "either FILE or --rules FILE" in capsys.readouterr().err


def test_rules_check_without_a_file_checks_the_rules_kiosk_run_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # after `kiosk init --rules card-rules.toml`, `kiosk rules check` checks that file (it
    # looked only in the configuration folder and said there was no rules file)
    monkeypatch.setenv("CONFIGURATION_DIRECTORY", str(tmp_path / "etc"))
    monkeypatch.chdir(tmp_path)
    assert main(["rules", "check"]) == 2
    assert "There is no rules file at" in capsys.readouterr().err
    rules = _rules_file(tmp_path, r";(\d{9})=")
    assert main(["init", "--rules", rules.name]) == 0
    capsys.readouterr()
    assert main(["rules", "check"]) == 0
    assert capsys.readouterr().out.startswith(f"{rules}: 1 rule(s)")


def test_a_swipe_longer_than_any_card_is_a_misread_before_the_rules() -> None:
    rules = RuleSet((Rule("any", r"(\d{9})"),))
    longest = ";" + "1" * (MAX_SWIPE_LENGTH - 2) + "?"
    assert parse_swipe(longest, rules).reason != "too_long"
    too_long = "x" * MAX_SWIPE_LENGTH + "123456789"
    result = parse_swipe(too_long, rules)
    assert (result.status, result.reason, result.card_id) == ("misread", "too_long", None)
    assert "123456789" not in result.message


def test_rule_errors_from_re2_never_reach_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    """RE2 logs what it refuses on stderr unless told not to, and the kiosk's screen is there."""
    with pytest.raises(RulesFileError):
        Rule("big", r"(\d{1000}){2}")
    with pytest.raises(RulesFileError):
        Rule("big", "(?:.{1000})")  # past the program size accepted
    assert capfd.readouterr().err == ""


# ---------------------------------------------------------------- same answers in both engines

_ATOMS = st.sampled_from(
    ["a", "b", "1", "2", ";", "=", r"\d", r"\w", r"\s", r"\D", "[ab]", "[^a]", "[a-c1]", ".", r"\."]
)
_QUANTIFIERS = st.sampled_from(["*", "+", "?", "{2}", "{1,3}", "{,2}", "*?", "+?", "??", "{0,2}?"])


def _regexes() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, inner).map("".join),
            st.tuples(inner, inner).map(lambda pair: f"(?:{pair[0]}|{pair[1]})"),
            inner.map(lambda body: f"({body})"),
            st.tuples(inner, _QUANTIFIERS).map(lambda pair: f"(?:{pair[0]}){pair[1]}"),
        )

    body = st.recursive(_ATOMS, extend, max_leaves=6)
    return st.tuples(
        st.sampled_from(["", "", "^", "(?i)", "(?i)^"]),
        body,
        st.sampled_from(["", "", "$", r"\b"]),
    ).map("".join)


_TEXTS = st.text(alphabet="ab12;=A.xB ", max_size=12)


def _spans(match: object, groups: int) -> list[tuple[int, int]]:
    assert match is not None
    return [match.span(group) for group in range(groups + 1)]  # type: ignore[attr-defined]


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pattern=_regexes(), texts=st.lists(_TEXTS, min_size=1, max_size=6))
def test_rules_find_what_python_re_finds(pattern: str, texts: list[str]) -> None:
    """A random regex either is refused at load, or gives the card_id Python's ``re`` gives,
    on every text, whichever engine the rule runs in; and RE2 running the written-out tree
    finds the same match and groups as ``re`` (ASCII) itself, also on text that is not ASCII
    (where Python's default Unicode classes differ on purpose: ``\\d`` is 0-9 only)."""
    try:
        rule = Rule("random", pattern)
    except RulesFileError:
        return
    python = re.compile(pattern)
    written = re2.compile(to_re2(parse_pattern(pattern).tree))
    ascii_python = re.compile(pattern, re.ASCII)
    for text in texts:
        expected = python.search(text)
        found = rule.regex.search(text)
        assert (found is None) == (expected is None), (pattern, text)
        if expected is not None and found is not None:
            group = rule.card_id_group
            assert found.group(group) == expected.group(group), (pattern, text)
        for variant in (text, text.replace("x", "é").replace("B", "١").replace("A", "K")):
            in_re2, in_re = written.search(variant), ascii_python.search(variant)
            assert (in_re2 is None) == (in_re is None), (pattern, variant)
            if in_re is not None:
                groups = ascii_python.groups
                assert _spans(in_re2, groups) == _spans(in_re, groups), (pattern, variant)


def test_both_engines_agree_on_non_ascii_text_and_spans() -> None:
    """Offsets are characters in both engines, also after a character UTF-8 spells in
    several bytes; ``\\d`` is 0-9 only (an Arabic-Indic digit is not a card digit)."""
    rule_re2 = Rule("x", r"(\d+)*;(\d{3})")
    assert rule_re2.regex.engine == "re2"
    match = rule_re2.regex.search("é€;123")
    assert match is not None and match.span(2) == (3, 6)
    assert Rule("digits", r";(\d+)=").regex.search(";١٢٣=") is None
    assert compile_rule_pattern(r"(\d+)*;(\d+)").search(";\udcff") is None  # lone surrogate


def test_verify_calls_a_too_long_stripe_a_misread_in_batch_as_one_by_one() -> None:
    """verify settles plain stripes without the per-swipe checks; a stripe too long to be a
    swipe must still be the per-swipe path's misread, not a match."""
    rules = RuleSet((Rule("issue", r";(\d{9})\?"),))
    roster = RosterCardIds("test", [("901234567", "alex")])
    too_long = "%" + "A" * MAX_SWIPE_LENGTH + "?;901234567?"
    swipes = [CapturedSwipe(1, too_long), CapturedSwipe(2, ";901234567?")]
    batch = render_json(verify(roster, swipes, rules))
    assert batch == render_json(verify(roster, swipes, rules, one_by_one=True))
    results = json.loads(batch)["results"]
    assert [result["verdict"] for result in results] == ["misread", "matched"]
