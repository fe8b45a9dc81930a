"""The batch path (kiosk.verify.batch) against the per-swipe path, its reference.

verify() checks a capture's swipes together; verify(..., one_by_one=True) sends each swipe
through swipe_checker. For generated captures mixing every kind of swipe, with and without
rules, the two must give the same report: the same checks (verdict, contained, extracted,
rule, message, hint, text, occurrences), noise, counts, JSON and readable text.
"""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.capture import (
    CapturedSwipe,
    CaptureFormatError,
    escape_swipe,
    parse_capture_lines,
    parse_capture_text,
    read_capture,
)
from kiosk.cards.card_ids import CardIdIndex
from kiosk.cards.guard import find_payment_card, payment_number_patterns
from kiosk.cards.luhn import luhn_check_digit
from kiosk.cards.rules import RuleSet, rules_from_toml
from kiosk.verify.analysis import swipe_checker, verify
from kiosk.verify.batch import check_swipes
from kiosk.verify.model import MatchedRow, SwipeCheck, VerifyReport
from kiosk.verify.render_json import render_json
from kiosk.verify.render_text import render_text
from kiosk.verify.roster_source import RosterCardIds
from tests.conftest import load_corpus

CAMPUS_IIN = "600999"
CORPUS_RAW = [case["raw"] for case in load_corpus()]

RULES = rules_from_toml(
    f"""
[guard]
campus_prefixes = ["{CAMPUS_IIN}"]

[[rules]]
name = "iso-track2"
pattern = ';{CAMPUS_IIN}(\\d{{9}})\\d='

[[rules]]
name = "front-only"
pattern = ';(\\d{{8}})\\?'
reader = "front"

[[rules]]
name = "id-plus-issue"
pattern = ';(\\d{{9}})\\d{{2}}\\?'

[[rules]]
name = "track1-name-field"
pattern = '^(\\d+)'
track = [1]

[[rules]]
name = "no-zeros"
pattern = ';(\\d+)\\?'
transforms = ["strip_leading_zeros"]
"""
)
PREFIX_ONLY = RuleSet(campus_prefixes=(CAMPUS_IIN,))

# Card_ids that overlap (one inside another), a payment number and a campus ISO number
# as card_ids (refused swipes with the hint), and random ones.
FIXED_CARD_IDS = [
    "901234567", "01234567", "12345", "0012345", "41234567", "4111111111111111",
    "6009999012345675", "555", "2345",
]
digits = st.text(alphabet="0123456789", min_size=3, max_size=12)
card_id_pools = st.one_of(
    st.lists(st.one_of(st.sampled_from(FIXED_CARD_IDS), digits), min_size=1, max_size=8),
    # a roster as most are: one length, no card_id inside another
    st.lists(st.text(alphabet="0123456789", min_size=9, max_size=9), min_size=1, max_size=8,
             unique=True),
)


@st.composite
def rosters(draw: st.DrawFn) -> RosterCardIds:
    card_ids = draw(card_id_pools)
    pairs: list[tuple[str | None, str]] = [(card_id, f"u{n}") for n, card_id in
                                           enumerate(card_ids)]
    if draw(st.integers(0, 3)) == 0:  # one card_id shared by two students
        pairs.append((card_ids[0], "shared"))
    if draw(st.booleans()):
        pairs.append((None, "nocard"))
    return RosterCardIds(source="generated", pairs=pairs)


def _iso(number: str) -> str:
    number += luhn_check_digit(number)
    return f"%B{number}^TESTER/ALEX J^2908120000000000?;{number}=29081200000000000?"


VISA = "4111111111111111"
# Luhn-valid numbers of 13 to 19 digits, the first a payment network's (2 to 6), some with
# the campus prefix, in every layout the guard knows, and a few it does not.
payment_numbers = st.builds(
    lambda start, body: start + body + luhn_check_digit(start + body),
    st.sampled_from(["2", "3", "4", "5", "6", CAMPUS_IIN, "1", "7"]),
    st.text(alphabet="0123456789", min_size=6, max_size=17),
).filter(lambda number: 13 <= len(number) <= 19)
PAYMENT_LAYOUTS = [
    "%B{n}^X^2512?", ";{n}=2512?", ";{n}?", "{n}=2512", "x{n}=2512", "+{n}=2512?",
    "%A{n}=2512?", ";9?+{n}=25?", "%B{n}=2512?", ";{n}1?", "%{n}?",
]
payment_swipes = st.builds(
    lambda layout, number: layout.format(n=number), st.sampled_from(PAYMENT_LAYOUTS),
    payment_numbers,
)


def swipe_kinds(card_ids: list[str]) -> st.SearchStrategy[str]:
    """One swipe of any kind, many of them holding one of ``card_ids``."""
    card_id = st.sampled_from(card_ids)
    stripes = st.one_of(  # clean stripes: most of a real capture
        card_id.map(lambda c: f";{c}01?"),  # track 2: id + issue code
        card_id.map(lambda c: f";{c}?"),
        card_id.map(lambda c: f"%{c}?;{c}?"),  # the same number on both tracks
        card_id.map(lambda c: f"%{c}?;{c}?;{c}?"),  # three times
        card_id.map(lambda c: _iso(CAMPUS_IIN + c[:9].rjust(9, "0"))),  # campus ISO card
    )
    return st.one_of(
        stripes,
        stripes,
        stripes,
        st.sampled_from(CORPUS_RAW),  # the corpus: every reader, noise, misreads, payment
        card_id.map(lambda c: f"%B{c}^X Y^2908?"),  # track 1 format B only
        payment_swipes,
        st.sampled_from([  # payment cards in every layout the guard knows, and masked output
            f"%B{VISA}^TEST/CARD^2512101000000000000?;{VISA}=25121010000000000?",
            f";{VISA}=25121010000000000?",
            f";{VISA}?",
            f"{VISA}=2512",
            f"%B{VISA}^X^25121011112222?",
            "%B4111********1111^TESTER/ALEX^2812?;41234567****?",
            f";{VISA}=2512?;{VISA}?",
        ]),
        st.sampled_from([  # noise and misreads
            "", "\x02\x03", "1", "0", "21088801A12", "%E?;E?", ";90123456701", ";12a3?",
            "<90123456701_", "%E?", ";E?;E?", "+12345?", "%?;?",
        ]),
        card_id.map(lambda c: f"\x02;{c}01?\r\x03"),  # framing and CR (control characters)
        card_id.map(lambda c: f"%{c}?\r;{c}?\n"),  # a newline inside a swipe
        card_id.map(lambda c: f";{c}01?\x00"),
        card_id.map(lambda c: f";{c}\u00e9?"),  # non-ASCII
        card_id.map(lambda c: f";{c}?*"),  # a lone '*'
        card_id.map(lambda c: c),  # prox / barcode: the bare number
        st.text(alphabet="0123456789;%?=^B+E*<_ \x02\r", max_size=30),  # fragments
    )


@st.composite
def captures(draw: st.DrawFn) -> tuple[RosterCardIds, list[CapturedSwipe]]:
    roster = draw(rosters())
    card_ids = [card_id for card_id, _ in roster.pairs if card_id] + [VISA, "99999999"]
    pieces = draw(st.lists(swipe_kinds(card_ids), max_size=25))
    if draw(st.booleans()) and len(pieces) > 1:  # two swipes run together
        pieces[0] = pieces[0] + pieces[1]
    swipes = [CapturedSwipe(line, text) for line, text in enumerate(pieces, start=3)]
    return roster, swipes


def _assert_same(batch: VerifyReport, reference: VerifyReport) -> None:
    assert list(batch.checks) == list(reference.checks)  # every field of every check
    assert batch.checks == reference.checks
    assert (batch.noise, batch.counts, batch.exit_status) == (
        reference.noise, reference.counts, reference.exit_status
    )
    assert render_json(batch) == render_json(reference)
    for tty in (False, True):
        assert render_text(batch, tty=tty, limit=1000) == render_text(
            reference, tty=tty, limit=1000
        )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    capture=captures(),
    rules=st.sampled_from([None, RULES, PREFIX_ONLY]),
    reader=st.sampled_from([None, "front"]),
)
def test_batch_gives_the_per_swipe_report(
    capture: tuple[RosterCardIds, list[CapturedSwipe]], rules: RuleSet | None, reader: str | None
) -> None:
    roster, swipes = capture
    batch = verify(roster, swipes, rules, reader=reader)
    reference = verify(roster, swipes, rules, reader=reader, one_by_one=True)
    _assert_same(batch, reference)


@settings(max_examples=150, deadline=None)
@given(capture=captures(), with_rules=st.booleans(), crlf=st.booleans())
def test_a_capture_file_gives_the_per_swipe_report(
    capture: tuple[RosterCardIds, list[CapturedSwipe]], with_rules: bool, crlf: bool
) -> None:
    """Whole capture files (escaped, comments, blank lines, CRLF) read at once, then
    checked together, against the file read line by line and checked one by one."""
    roster, swipes = capture
    ending = "\r\n" if crlf else "\n"
    text = "# captured for the test" + ending + ending + "".join(
        escape_swipe(swipe.text) + ending for swipe in swipes if swipe.text
    )
    read_at_once = parse_capture_text(text)
    assert read_at_once == list(parse_capture_lines(io.StringIO(text, newline="")))
    rules = RULES if with_rules else None
    _assert_same(
        verify(roster, read_at_once, rules),
        verify(roster, read_at_once, rules, one_by_one=True),
    )


@given(st.text(alphabet="ab \t#\\x0\r\n", max_size=40))
def test_capture_text_splits_lines_as_a_file_read_line_by_line(text: str) -> None:
    try:
        expected: list[CapturedSwipe] | str = list(
            parse_capture_lines(io.StringIO(text, newline=""))
        )
    except CaptureFormatError as error:  # a bad escape: the same error either way
        expected = str(error)
    try:
        got: list[CapturedSwipe] | str = parse_capture_text(text)
    except CaptureFormatError as error:
        got = str(error)
    assert got == expected


def test_read_capture_reads_a_file_at_once_with_its_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "swipes.txt"
    path.write_bytes(b"# c\r\n;123?\r\n\r\n  \r%B1^A?\r\\x02;9?\\x03\n")
    assert [(s.line, s.text) for s in read_capture(path)] == [
        (2, ";123?"), (5, "%B1^A?"), (6, "\x02;9?\x03")
    ]


@given(
    text=st.text(alphabet="0123456789;=?^%B\n x", max_size=60)
    | payment_swipes
    | st.builds(lambda a, n, b: a + n + b, st.sampled_from(["", ";", "%B", "x", "7"]),
                payment_numbers, st.sampled_from(["", "=", "?", "^", "=2512", "=25", "1"])),
    prefixes=st.sampled_from([(), (CAMPUS_IIN,), ("4",), ("",), ("41x",)]),
)
def test_payment_patterns_find_every_number_the_guard_refuses(
    text: str, prefixes: tuple[str, ...]
) -> None:
    if find_payment_card(text, prefixes):
        assert any(pattern.search(text) for pattern in payment_number_patterns(prefixes))


def _count_per_swipe_calls(
    roster: RosterCardIds, texts: list[str], rules: RuleSet | None
) -> tuple[int, list[SwipeCheck | MatchedRow]]:
    index: CardIdIndex[str] = CardIdIndex(roster.pairs)
    rule_set = rules or RuleSet.empty()
    reference = swipe_checker(index, rule_set, rules_given=rules is not None)
    calls: list[int] = []

    def counting(line: int, text: str) -> SwipeCheck | None:
        calls.append(line)
        return reference(line, text)

    swipes = [CapturedSwipe(line, text) for line, text in enumerate(texts, start=1)]
    checks, _ = check_swipes(
        swipes, index, rule_set, rules_given=rules is not None, reader=None, per_swipe=counting
    )
    return len(calls), checks


ROSTER = RosterCardIds("test", [("901234567", "alex"), ("412345678", "river")])


def test_plain_matched_swipes_never_take_the_per_swipe_path() -> None:
    plain = [";90123456701?", "%412345678?;412345678?", _iso(CAMPUS_IIN + "901234567")]
    calls, checks = _count_per_swipe_calls(ROSTER, plain, RULES)
    assert calls == 0
    assert [type(check) for check in checks] == [tuple, tuple, tuple]
    calls, _ = _count_per_swipe_calls(ROSTER, plain[:2], None)
    assert calls == 0


def test_refused_swipes_are_refused_by_the_guard_and_others_take_the_per_swipe_path() -> None:
    refused = [
        _iso(CAMPUS_IIN + "901234567"),  # without the campus prefix: a payment number
        "%B4111********1111^X^2812?",  # masked
    ]
    others = [
        "\x02;90123456701?\x03",  # control characters
        ";90123456701",  # a partial swipe
        ";55555555501?",  # plain but unmatched
        "901234567",  # not a stripe
    ]
    calls, checks = _count_per_swipe_calls(ROSTER, refused + others, None)
    assert calls == len(others)
    assert all(isinstance(check, SwipeCheck) for check in checks)
    # The guard's refusals are the per-swipe path's checks, the payment one with its hint.
    index: CardIdIndex[str] = CardIdIndex(ROSTER.pairs)
    reference = swipe_checker(index, RuleSet.empty(), rules_given=False)
    swipes = enumerate(refused + others, start=1)
    assert checks == [reference(line, text) for line, text in swipes]
    assert checks[0].hint is not None and checks[1].hint is None  # type: ignore[union-attr]
