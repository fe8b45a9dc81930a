"""`kiosk rules suggest` reads the examples as a person would (issue 15.6).

A rule learnt from three (swipe, card_id) pairs must extract the card_id of every further card
of the same layout: each layout below (every accepting layout of the swipe corpus, and the raw
prox formats) generates many unseen cards, all of which the suggested rule must read. An id
between separators may change width; an id inside a run of digits keeps its width and zeros;
and when the pairs fit two readings, the suggestion says so and asks for the telling swipe.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kiosk.cards.luhn import luhn_check_digit
from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import RuleSet, rules_from_toml
from kiosk.cards.suggest import suggest_rule
from kiosk.cards.transforms import reverse_bytes
from kiosk.cards.wiegand import FORMATS, encode_bits, encode_hex
from kiosk.cli import main
from tests.conftest import load_corpus

HELD_OUT = 150  # unseen cards per layout


def _lrc(track: str) -> str:
    """The ISO 7811 LRC character of a track 2 (sentinels included)."""
    return chr(0x30 + reduce(lambda acc, char: acc ^ ((ord(char) - 0x30) & 0xF), track, 0))


def _campus_pan(student_id: str) -> str:
    partial = "600999" + student_id
    return partial + luhn_check_digit(partial)


_CODE39 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"


def _code39_check(text: str) -> str:
    return _CODE39[sum(_CODE39.index(char) for char in text) % 43]


def _digits(rng: random.Random, low: int, high: int) -> str:
    """A random decimal string of low..high digits (leading zeros allowed)."""
    return "".join(rng.choice(string.digits) for _ in range(rng.randint(low, high)))


def _number(rng: random.Random, low: int, high: int) -> str:
    return str(rng.randint(low, high))


@dataclass(frozen=True)
class Layout:
    """How a reader presents one card: ``swipe(card_id, rng)``; the two further example ids
    (the corpus row gives the first); unseen card_ids drawn by ``unseen(rng)``."""

    swipe: Callable[[str, random.Random], str]
    examples: tuple[str, str]
    unseen: Callable[[random.Random], str]


def _campus(raw: str) -> Layout:
    pan = "6009999012345675"  # the corpus rows' card, student 901234567
    return Layout(
        lambda card_id, rng: raw.replace(pan, _campus_pan(card_id)),
        ("912345678", "900000123"),
        lambda rng: _digits(rng, 9, 9),
    )


def _issue_code(rng: random.Random) -> str:
    return rng.choice(["00", "01", "02", "07", "11"])


def _track2_with_lrc(card_id: str, rng: random.Random) -> str:
    track = f";{card_id}{_issue_code(rng)}?"
    return f"\x02{track}{_lrc(track)}\x10"


def _onecard(card_id: str, rng: random.Random) -> str:
    name = rng.choice(["SAMPLE/RIVER M", "DOE/JANE", "O'NEIL/PAT Q"])
    return f"%B{_campus_pan(_digits(rng, 9, 9))}^{name}^290812000000{card_id}   00000?\n"


def _qr(card_id: str, rng: random.Random) -> str:
    token = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(6))
    return f"https://id.example.edu/v/{card_id}?t={token}\n"


def _hex_uid(rng: random.Random) -> str:
    return f"{rng.getrandbits(32):08X}"


CORPUS_LAYOUTS: dict[str, Layout] = {
    **{
        row: _campus(raw)
        for row, raw in (
            (row["id"], row["raw"])
            for row in load_corpus()
            if row["expected"]["outcome"] == "accept" and "6009999012345675" in row["raw"]
        )
    },
    "wedge-t2only-id-plus-issue": Layout(
        lambda i, rng: f";{i}{_issue_code(rng)}?\n",
        ("912345678", "900000123"),
        lambda rng: _digits(rng, 9, 9),
    ),
    "serial-idtech-uic-stx-dle": Layout(
        _track2_with_lrc, ("912345678", "900000123"), lambda rng: _digits(rng, 9, 9)
    ),
    "wedge-t2-etms90-style": Layout(
        lambda i, rng: f";9{i}{_issue_code(rng)}0000?\n",
        ("41234599", "40000001"),
        lambda rng: _digits(rng, 8, 8),
    ),
    "wedge-t2-field-separated": Layout(
        lambda i, rng: f";4821={i.zfill(10)}=1=290630?\n",
        ("7654321", "987"),
        lambda rng: _number(rng, 1, 9_999_999_999),
    ),
    "wedge-t1-onecard-name": Layout(
        _onecard, ("7654321", "5555555"), lambda rng: _digits(rng, 7, 7)
    ),
    "wedge-t1t2-identical": Layout(
        lambda i, rng: f"%{i}?;{i}?\n", ("87654321", "10000001"), lambda rng: _digits(rng, 2, 12)
    ),
    "wedge-t3-plus-sentinel": Layout(
        lambda i, rng: f"+{i}?\n", ("9876543210", "1111111111"), lambda rng: _digits(rng, 2, 12)
    ),
    "wedge-idtech-no-sentinels": Layout(
        lambda i, rng: f"{i}{_issue_code(rng)}\n",
        ("912345678", "900000123"),
        lambda rng: _digits(rng, 9, 9),
    ),
    "prox-h10301-id-only": Layout(
        lambda i, rng: f"{i}\n", ("54321", "60001"), lambda rng: _number(rng, 10, 65535)
    ),
    "prox-h10301-zero-padded": Layout(
        lambda i, rng: f"{i.zfill(10)}\n", ("2345", "678"), lambda rng: _number(rng, 1, 65535)
    ),
    # the issue's example: 042:51234, 017:60001, 101:12345 must also read 042:7
    "prox-fac-colon-id": Layout(
        lambda i, rng: f"{rng.randint(0, 255):03d}:{i}\n",
        ("60001", "51234"),
        lambda rng: _number(rng, 0, 65535),
    ),
    "prox-combined-24bit-decimal": Layout(
        lambda i, rng: f"{(42 << 16) | int(i)}\n",
        ("60001", "4711"),
        lambda rng: _number(rng, 0, 65535),
    ),
    "prox-corp1000-35bit": Layout(
        lambda i, rng: f"1234:{i}\n", ("1048575", "42"), lambda rng: _number(rng, 0, 2**20 - 1)
    ),
    "prox-em4100-10digit": Layout(
        lambda i, rng: f"{i}\n", ("0013110988", "1234567890"), lambda rng: _digits(rng, 10, 10)
    ),
    "mifare-uid4-hex": Layout(lambda i, rng: f"{i}\n", ("DEADBEEF", "1A2B3C4D"), _hex_uid),
    "mifare-uid4-hex-reversed": Layout(
        lambda i, rng: f"{reverse_bytes(i)}\n", ("DEADBEEF", "1A2B3C4D"), _hex_uid
    ),
    "barcode-code39-plain": Layout(
        lambda i, rng: f"{i}\n", ("912345678", "900000123"), lambda rng: _digits(rng, 9, 9)
    ),
    "barcode-code39-startstop": Layout(
        lambda i, rng: f"*{i}*\n", ("912345678", "900000123"), lambda rng: _digits(rng, 9, 9)
    ),
    "barcode-code39-check-char": Layout(
        lambda i, rng: f"S{i}{_code39_check('S' + i)}\n",
        ("912345678", "900000123"),
        lambda rng: _digits(rng, 9, 9),
    ),
    "qr-mobile-credential-url": Layout(
        _qr, ("912345678", "900000123"), lambda rng: _digits(rng, 9, 9)
    ),
}


def _corpus_rows() -> list[tuple[str, str, str]]:
    return [
        (row["id"], row["raw"], row["expected"]["card_id"])
        for row in load_corpus()
        if row["expected"]["outcome"] == "accept"
    ]


def test_every_accepting_corpus_layout_has_a_generator() -> None:
    assert {row for row, _, _ in _corpus_rows()} == set(CORPUS_LAYOUTS)


def _check_held_out(
    layout: Layout, pairs: list[tuple[str, str]], rng: random.Random, name: str
) -> None:
    suggestion = suggest_rule(pairs)
    assert suggestion.ok and suggestion.question is None, (name, suggestion)
    rules = rules_from_toml(suggestion.toml)
    wrong = []
    for _ in range(HELD_OUT):
        card_id = layout.unseen(rng)
        swipe = layout.swipe(card_id, rng)
        result = parse_swipe(swipe, rules)
        if (result.status, result.card_id) != ("ok", card_id):
            wrong.append((swipe, card_id, result.status, result.card_id))
    assert not wrong, (suggestion.toml, wrong[:5])


@pytest.mark.parametrize(("row", "raw", "card_id"), _corpus_rows(), ids=lambda v: str(v)[:40])
def test_a_rule_from_three_cards_reads_every_unseen_card_of_a_corpus_layout(
    row: str, raw: str, card_id: str
) -> None:
    rng = random.Random(row)
    layout = CORPUS_LAYOUTS[row]
    # the corpus row itself, then two more cards of its layout
    pairs = [(raw, card_id)] + [(layout.swipe(i, rng), i) for i in layout.examples]
    _check_held_out(layout, pairs, rng, row)


def _raw_prox(name: str, bits: bool, padded: bool) -> Layout:
    """A reader typing the raw value (bits, or hex: just enough digits, or ``padded`` to
    12 or 16 digits at random) of cards of one site (facility or company 1000)."""
    fmt = FORMATS[name]
    site = {part.name: 1000 % (1 << part.width) for part in fmt.fields if part.name != "card"}
    largest = (1 << fmt.field("card").width) - 1

    def swipe(card_id: str, rng: random.Random) -> str:
        if bits:
            return encode_bits(fmt, card=int(card_id), **site) + "\n"
        digits = rng.choice([None, 12, 16]) if padded else None
        return encode_hex(fmt, digits=digits, card=int(card_id), **site) + "\n"

    return Layout(
        swipe,
        (str(largest // 3), str(largest - 1)),  # real card numbers use the field's range
        lambda rng: str(rng.randint(0, largest)),
    )


@pytest.mark.parametrize("bits", [False, True], ids=["hex", "bits"])
@pytest.mark.parametrize("name", list(FORMATS))
def test_raw_prox_readers_of_every_format(name: str, bits: bool) -> None:
    rng = random.Random(f"{name}{bits}")
    examples = _raw_prox(name, bits, padded=False)
    pairs = [(examples.swipe(i, rng), i) for i in ("4711", *examples.examples)]
    suggestion = suggest_rule(pairs)
    assert suggestion.rule is not None and suggestion.rule.transforms == (f"{name}_card",)
    # unseen cards, also from readers padding the hex with zeros
    _check_held_out(_raw_prox(name, bits, padded=True), pairs, rng, name)


def test_two_prox_formats_that_fit_the_pairs_give_the_question() -> None:
    # H10302 cards with small numbers read the same as H10304 cards of facility 0
    h10302 = FORMATS["h10302"]
    pairs = [(encode_bits(h10302, card=card) + "\n", str(card)) for card in (4711, 815, 1)]
    suggestion = suggest_rule(pairs)
    assert suggestion.ok and suggestion.question is not None
    assert "HID H10302 37-bit (card number only), HID H10304 37-bit" in suggestion.question
    assert "whose number is above 524287" in suggestion.question
    assert "# QUESTION: These pairs fit 2 prox card formats" in suggestion.toml
    big = 2**34 + 12345
    settled = suggest_rule([*pairs, (encode_bits(h10302, card=big), str(big))])
    assert settled.question is None and settled.rule is not None
    assert settled.rule.transforms == ("h10302_card",)


# ---------------------------------------------------------------- the issue's examples


def test_a_delimited_id_may_be_shorter_than_the_examples() -> None:
    pairs = [("042:51234\n", "51234"), ("017:60001\n", "60001"), ("101:12345\n", "12345")]
    suggestion = suggest_rule(pairs)
    assert suggestion.ok and suggestion.question is None
    rules = rules_from_toml(suggestion.toml)
    for swipe, card_id in (("042:7\n", "7"), ("042:123456\n", "123456"), ("200:99\n", "99")):
        assert parse_swipe(swipe, rules).card_id == card_id


def _onecard_swipe(card_id: str) -> str:
    return f"%B6009999007654321^SAMPLE/RIVER M^290812000000{card_id}   00000?\n"


@pytest.mark.parametrize(
    "examples",
    [("1234567", "7654321", "5555555"), ("0123456", "7654321", "5555555")],
    ids=["no-example-starts-with-0", "one-example-starts-with-0"],
)
def test_an_id_inside_a_run_of_digits_keeps_its_width_and_zeros(
    examples: tuple[str, ...],
) -> None:
    suggestion = suggest_rule([(_onecard_swipe(i), i) for i in examples])
    assert suggestion.ok and suggestion.question is None
    rules = rules_from_toml(suggestion.toml)
    # the zeros before the id belong to the layout: never stripped from an unseen card's id
    for card_id in ("0123456", "0000042", "9999999"):
        assert parse_swipe(_onecard_swipe(card_id), rules).card_id == card_id
    assert "0*" not in suggestion.toml


# ---------------------------------------------------------------- two readings: ask


SAME_WIDTH = [("0000012345\n", "12345"), ("0000023456\n", "23456"), ("0000034567\n", "34567")]


def test_pairs_that_fit_two_readings_give_the_question() -> None:
    suggestion = suggest_rule(SAME_WIDTH)
    assert suggestion.ok and suggestion.question is not None
    question = suggestion.question
    # both readings, with what each makes of the telling card, and what to add
    assert "zero-padded number" in question and "fixed 5-digit field" in question
    assert "0000002345 would be 2345" in question and "would be 02345" in question
    assert "fewer than 5 digits" in question
    assert "# QUESTION: These pairs fit two readings" in suggestion.toml
    # the rule offered meanwhile keeps every digit (strips no zeros it has not seen stripped)
    rules = rules_from_toml(suggestion.toml)
    assert parse_swipe("0000002345\n", rules).card_id == "02345"


@pytest.mark.parametrize(
    ("answer", "reads"),
    [("2345", {"0000000007": "7", "0000065535": "65535"}),
     ("02345", {"0000000007": "00007", "0000065535": "65535", "0000001234": "01234"})],
    ids=["padded", "fixed-field"],
)
def test_the_telling_swipe_settles_the_reading(answer: str, reads: dict[str, str | None]) -> None:
    suggestion = suggest_rule([*SAME_WIDTH, ("0000002345\n", answer)])
    assert suggestion.ok and suggestion.question is None
    rules = rules_from_toml(suggestion.toml)
    for swipe, card_id in reads.items():
        assert parse_swipe(swipe, rules).card_id == card_id


def test_rules_suggest_prints_the_question_and_a_valid_rules_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "swipe,card_id\n" + "".join(f"{s.strip()},{c}\n" for s, c in SAME_WIDTH), encoding="utf-8"
    )
    assert main(["rules", "suggest", str(pairs)]) == 1
    captured = capsys.readouterr()
    assert re.search(r"^kiosk: These pairs fit two readings", captured.err, re.M)
    assert "fewer than 5 digits" in captured.err
    rules = rules_from_toml(captured.out)
    assert len(rules.rules) == 1
    assert parse_swipe("0000012345", rules).card_id == "12345"
    # with the telling pair added, the answer is settled and the command succeeds
    with pairs.open("a", encoding="utf-8") as handle:
        handle.write("0000002345,2345\n")
    assert main(["rules", "suggest", str(pairs)]) == 0
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------- any layout of the two kinds

_TEXT = st.text(alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789"), max_size=6)
_SEPARATORS = st.sampled_from("/=:.-_^ #!|")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    prefix=_TEXT,
    before=_SEPARATORS,
    after=st.one_of(_SEPARATORS, st.just("")),
    suffix=_TEXT,
    width=st.integers(3, 10),
    data=st.data(),
)
def test_a_delimited_id_of_any_width_is_read(
    prefix: str, before: str, after: str, suffix: str, width: int, data: st.DataObject
) -> None:
    """Three ids of one width between separators teach a rule for ids of every width."""
    if not after:
        suffix = ""  # the id ends the line

    def make(card_id: str) -> str:
        return f"{prefix}{before}{card_id}{after}{suffix}\n"

    ids = data.draw(st.lists(_decimal(width, width), min_size=3, max_size=3, unique=True))
    assume(all(parse_swipe(make(i), RuleSet.empty()).status == "no_match" for i in ids))
    suggestion = suggest_rule([(make(i), i) for i in ids])
    assert suggestion.ok and suggestion.question is None, suggestion
    rules = rules_from_toml(suggestion.toml)
    for unseen in data.draw(st.lists(_decimal(1, 12), min_size=1, max_size=5)):
        assume(parse_swipe(make(unseen), RuleSet.empty()).status == "no_match")
        assert parse_swipe(make(unseen), rules).card_id == unseen, suggestion.toml


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    # fixed digits, often ending in zeros (290812000000): zeros the ids must not lose
    fixed=st.tuples(
        st.text(alphabet="0123456789", min_size=1, max_size=6).filter(lambda t: t.strip("0")),
        st.integers(0, 6),
    ).map(lambda parts: parts[0] + "0" * parts[1]),
    trailer=st.integers(0, 3),
    width=st.integers(3, 9),
    data=st.data(),
)
def test_an_embedded_id_keeps_its_width_and_zeros(
    fixed: str, trailer: int, width: int, data: st.DataObject
) -> None:
    """An id inside a run of digits (fixed digits before it, check digits after it) is read
    at its place and width, zeros included, on every further card."""

    def make(card_id: str, rng_digits: str) -> str:
        return f";{fixed}{card_id}{rng_digits[:trailer]}?\n"

    def checks() -> str:
        return data.draw(_decimal(3, 3))

    ids = data.draw(
        st.lists(_decimal(width, width).filter(lambda i: i[0] != "0"), min_size=3, max_size=3,
                 unique=True)
    )
    pairs = [(make(i, checks()), i) for i in ids]
    assume(all(parse_swipe(s, RuleSet.empty()).status == "no_match" for s, _ in pairs))
    suggestion = suggest_rule(pairs)
    assert suggestion.ok and suggestion.question is None, suggestion
    rules = rules_from_toml(suggestion.toml)
    for unseen in data.draw(st.lists(_decimal(width, width), min_size=1, max_size=5)):
        swipe = make(unseen, checks())
        assume(parse_swipe(swipe, RuleSet.empty()).status == "no_match")
        assert parse_swipe(swipe, rules).card_id == unseen, suggestion.toml


def _decimal(low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=low, max_size=high)
