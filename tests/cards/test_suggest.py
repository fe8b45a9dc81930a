"""suggest_rule: a rule learnt from a few (swipe, card_id) pairs must work for a further card
of the same layout, not just memorise the examples."""

from __future__ import annotations

import random
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kiosk.cards.brands import campus_prefix_warning, payment_brand
from kiosk.cards.luhn import luhn_check_digit
from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import RuleSet, rules_from_toml
from kiosk.cards.suggest import suggest_rule
from kiosk.cards.transforms import h10301_encode, reverse_bytes
from kiosk.cli import main


def campus_pan(student_id: str) -> str:
    partial = "600999" + student_id
    return partial + luhn_check_digit(partial)


def campus_t1t2(student_id: str) -> str:
    pan = campus_pan(student_id)
    return f"%B{pan}^TESTER/ALEX J^2908120000000000?;{pan}=29081200000000000?\n"


# Each layout: (swipe for an id, the card_id exported, three example ids, further ids).
LAYOUTS: dict[str, tuple[Callable[[str], str], Callable[[str], str], list[str], list[str]]] = {
    "campus-iso-t1t2": (
        campus_t1t2, str, ["901234567", "902345671", "912345670"], ["955555555", "900000001"]
    ),
    "campus-iso-t1-failed": (
        lambda i: f"%E?;{campus_pan(i)}=29081200000000000?",
        str,
        ["901234567", "902345671", "912345670"],
        ["955555555"],
    ),
    "id-plus-issue-code": (
        lambda i: f";{i}{random.choice(['00', '01', '02'])}?\n",
        str,
        ["901234567", "912345678", "900000123"],
        ["987654321"],
    ),
    "etms90": (
        lambda i: f";9{i}{random.choice(['00', '01', '07'])}0000?",
        str,
        ["41234567", "41234599", "40000001"],
        ["49999999"],
    ),
    "field-separated": (
        lambda i: f";4821={i.zfill(10)}=1=290630?",
        str,
        ["60123456", "61234567", "7654321"],
        ["123", "9876543210"],
    ),
    # Ids of different widths show the zeros being dropped (same widths: see
    # test_suggest_readings.py, which asks for such a card).
    "prox-zero-padded": (
        lambda i: i.zfill(10) + "\n", str, ["12345", "2345", "34567"], ["1", "7", "65535"]
    ),
    "prox-fac-id": (lambda i: f"042:{i}\n", str, ["12345", "23456", "4567"], ["65535", "9"]),
    "em4100": (
        lambda i: i + "\n", str, ["0004718298", "0013110988", "1234567890"], ["0000000001"]
    ),
    "mifare-reversed": (
        lambda uid: (reverse_bytes(uid) or "") + "\n",
        str,
        ["04A23BC1", "12345678", "DEADBEEF"],
        ["0A0B0C0D", "99999999"],
    ),
    "code39-check-char": (
        lambda i: f"S{i}{random.choice('0123456789ABCDEFXYZ-$')}\n",
        str,
        ["901234567", "912345678", "900000001"],
        ["955555555"],
    ),
    "qr-url": (
        lambda i: f"https://id.example.edu/v/{i}?t={random.choice(['Qx7Lm2', 'a', 'ZZ9'])}\n",
        str,
        ["901234567", "912345678", "900000001"],
        ["955555555"],
    ),
    "h10301-raw-hex": (
        lambda card: h10301_encode(42, int(card)) + "\n",
        str,
        ["12345", "23456", "34567"],
        ["1", "65535"],
    ),
    "pcprox-combined-decimal": (
        lambda card: str((42 << 16) | int(card)) + "\n",
        str,
        ["12345", "23456", "34567"],
        ["40000", "65535"],
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_rule_learnt_from_three_cards_reads_a_fourth(layout: str) -> None:
    random.seed(layout)
    make_swipe, _, examples, further = LAYOUTS[layout]
    suggestion = suggest_rule([(make_swipe(card_id), card_id) for card_id in examples])
    assert suggestion.ok, suggestion.disagreements
    assert suggestion.explained == suggestion.total == 3
    assert suggestion.question is None
    ruleset = rules_from_toml(suggestion.toml)
    assert ruleset.rules == (suggestion.rule,)
    for card_id in further:
        result = parse_swipe(make_swipe(card_id), ruleset)
        assert (result.status, result.card_id) == ("ok", card_id), suggestion.toml


def test_campus_cards_get_a_guard_section_and_the_comment_line() -> None:
    suggestion = suggest_rule([(campus_t1t2(i), i) for i in ("901234567", "902345671")])
    document = tomllib.loads(suggestion.toml)
    assert document["guard"] == {"campus_prefixes": ["600999"]}
    assert suggestion.toml.rstrip().endswith("# explains 2 of 2 pairs")
    # Without the guard section the same rule would see nothing but refusals.
    bare = RuleSet((suggestion.rule,), ()) if suggestion.rule else RuleSet.empty()
    assert parse_swipe(campus_t1t2("955555555"), bare).status == "refused"


def test_a_campus_prefix_outside_the_card_brands_gets_no_warning() -> None:
    suggestion = suggest_rule([(campus_t1t2(i), i) for i in ("901234567", "902345671")])
    assert suggestion.warnings == ()
    assert "WARNING" not in suggestion.toml


def test_a_campus_prefix_in_a_card_brands_range_gets_a_warning_comment() -> None:
    # the acceptance QA's pairs file: a Visa number taken for the school's own card
    suggestion = suggest_rule([("%B4111111111111111^X/Y^2512?", "411111111")])
    assert suggestion.ok and suggestion.campus_prefixes == ("411111",)
    (warning,) = suggestion.warnings
    assert warning == (
        "411111 is in Visa's card number range: make sure these are the school's own cards, "
        "since every card whose number starts with 411111 will be let through the payment guard."
    )
    comments = [line[2:] for line in suggestion.toml.splitlines() if line.startswith("# ")]
    assert " ".join(comments).count(f"WARNING: {warning}") == 1
    assert all(len(line) <= 88 for line in suggestion.toml.splitlines())
    # the comment sits above the [guard] section it is about, and the TOML still reads
    head, _, _ = suggestion.toml.partition("[guard]")
    assert "WARNING: 411111 is in Visa's" in head
    assert tomllib.loads(suggestion.toml)["guard"] == {"campus_prefixes": ["411111"]}


def test_rules_suggest_prints_the_warning_for_the_qa_pairs_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("swipe,card_id\n%B4111111111111111^X/Y^2512?,411111111\n", encoding="utf-8")
    assert main(["rules", "suggest", str(pairs)]) == 0
    out = capsys.readouterr().out
    assert "# WARNING: 411111 is in Visa's card number range: make sure these are" in out
    assert "will be let through the\n# payment guard." in out
    assert tomllib.loads(out)["guard"] == {"campus_prefixes": ["411111"]}


@pytest.mark.parametrize(
    ("prefix", "brand"),
    [
        ("411111", "Visa"),
        ("499999", "Visa"),
        ("510000", "Mastercard"),
        ("559999", "Mastercard"),
        ("222100", "Mastercard"),
        ("272099", "Mastercard"),
        ("340000", "American Express"),
        ("378282", "American Express"),
        ("601100", "Discover"),
        ("644000", "Discover"),
        ("649999", "Discover"),
        ("650000", "Discover"),
        ("600999", None),  # a typical campus card prefix
        ("601200", None),
        ("643999", None),
        ("560000", None),
        ("509999", None),
        ("222099", None),
        ("272100", None),
        ("350000", None),
        ("360000", None),
        ("2", None),  # too short to say
        ("4", "Visa"),
        ("", None),
        ("4x1111", None),
    ],
)
def test_payment_brand_ranges(prefix: str, brand: str | None) -> None:
    assert payment_brand(prefix) == brand
    assert (campus_prefix_warning(prefix) is None) == (brand is None)


def test_plain_substring_is_preferred_to_transforms() -> None:
    suggestion = suggest_rule([("04A23BC1", "04A23BC1"), ("DEADBEEF", "DEADBEEF")])
    assert suggestion.rule is not None and suggestion.rule.transforms == ()


def test_transform_used_when_no_substring_explains() -> None:
    suggestion = suggest_rule([("C13BA204", "04A23BC1"), ("78563412", "12345678")])
    assert suggestion.rule is not None
    assert suggestion.rule.transforms == ("reverse_bytes",)


def test_zfill_when_the_export_has_more_zeros_than_the_reader() -> None:
    pairs = [("12345", "00012345"), ("987", "00000987"), ("4567", "00004567")]
    suggestion = suggest_rule(pairs)
    assert suggestion.ok and suggestion.rule is not None
    assert suggestion.rule.transforms == ("zfill:8",)


def test_disagreeing_pairs_are_named_with_the_reason() -> None:
    pairs = [
        (";90123456701?", "901234567"),
        (";91234567802?", "912345678"),
        (";90000012301?", "900000123"),
        (";55555555501?", "123456789"),  # typo: card_id not in the swipe
        ("%E?;E?", "901234567"),  # misread
    ]
    suggestion = suggest_rule(pairs)
    assert not suggestion.ok
    assert suggestion.rule is not None and suggestion.explained == 3
    reasons = {d.pair: d.reason for d in suggestion.disagreements}
    assert set(reasons) == {4, 5}
    assert "'123456789' is not in the swipe" in reasons[4]
    assert "misread" in reasons[5]
    assert "# explains 3 of 5 pairs" in suggestion.toml


def test_two_layouts_cannot_share_one_rule() -> None:
    pairs = [("0000012345", "12345"), ("0000023456", "23456"), ("C13BA204", "04A23BC1")]
    suggestion = suggest_rule(pairs)
    assert not suggestion.ok
    assert [d.pair for d in suggestion.disagreements] == [3]


def test_a_bank_card_among_campus_cards_is_left_out() -> None:
    pairs = [(campus_t1t2(i), i) for i in ("901234567", "902345671")]
    pairs.append((";4111111111111111=2812101?", "411111111"))
    suggestion = suggest_rule(pairs)
    assert suggestion.campus_prefixes == ("600999",)
    assert [d.pair for d in suggestion.disagreements] == [3]
    assert "bank card" in suggestion.disagreements[0].reason
    assert "4111111111111111" not in suggestion.disagreements[0].reason


def test_encrypted_and_empty_pairs() -> None:
    suggestion = suggest_rule([(";4111****1111=2812?", "1111"), ("12345", "")])
    assert not suggestion.ok and suggestion.rule is None
    reasons = {d.pair: d.reason for d in suggestion.disagreements}
    assert "unencrypted" in reasons[1] and "empty" in reasons[2]


# ---------------------------------------------------------------- property

_FREE = st.text(
    alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789/=:.-_^ #!|"),
    max_size=12,
)


@st.composite
def layouts(draw: st.DrawFn) -> tuple[list[tuple[str, str]], Callable[[str], str], str]:
    width = draw(st.integers(3, 12))
    alphabet = draw(st.sampled_from(["0123456789", "0123456789ABCDEF"]))
    magstripe = draw(st.booleans())
    if magstripe:
        prefix = ";" + draw(st.text(alphabet="0123456789", max_size=6))
        suffix = draw(st.text(alphabet="0123456789=", max_size=8)) + "?"
        alphabet = "0123456789"
    else:
        prefix = draw(_FREE)
        suffix = draw(_FREE)
    ids = draw(
        st.lists(
            st.text(alphabet=alphabet, min_size=width, max_size=width),
            min_size=2,
            max_size=4,
            unique=True,
        )
    )
    def make(card_id: str) -> str:
        return f"{prefix}{card_id}{suffix}"

    return [(make(card_id), card_id) for card_id in ids], make, alphabet


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=layouts())
def test_suggested_rule_extracts_the_pairs_card_ids(
    layout: tuple[list[tuple[str, str]], Callable[[str], str], str],
) -> None:
    pairs, _, _ = layout
    usable = [
        (swipe, card_id)
        for swipe, card_id in pairs
        if parse_swipe(swipe, RuleSet.empty()).status == "no_match"
    ]
    assume(len(usable) == len(pairs))
    suggestion = suggest_rule(pairs)
    assert suggestion.ok, (pairs, suggestion.disagreements)
    ruleset = rules_from_toml(suggestion.toml)
    for swipe, card_id in pairs:
        assert parse_swipe(swipe, ruleset).card_id == card_id


_DELIMITERS = st.sampled_from("/=:.-_^ #!|;?")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    prefix=_FREE,
    before=_DELIMITERS,
    after=_DELIMITERS,
    suffix=_FREE,
    width=st.integers(3, 12),
    alphabet=st.sampled_from(["0123456789", "0123456789ABCDEF"]),
    data=st.data(),
)
def test_suggested_rule_generalises_to_a_further_card(
    prefix: str,
    before: str,
    after: str,
    suffix: str,
    width: int,
    alphabet: str,
    data: st.DataObject,
) -> None:
    """Three cards of a delimited layout teach a rule that reads any further card of it."""
    ids = data.draw(
        st.lists(
            st.text(alphabet=alphabet, min_size=width, max_size=width),
            min_size=3,
            max_size=3,
            unique=True,
        )
    )
    if len(alphabet) > 10:  # hex ids: the examples must show that letters occur
        assume(all(any(char.isalpha() for char in card_id) for card_id in ids))

    def make(card_id: str) -> str:
        return f"{prefix}{before}{card_id}{after}{suffix}"

    assume(all(parse_swipe(make(i), RuleSet.empty()).status == "no_match" for i in ids))
    suggestion = suggest_rule([(make(card_id), card_id) for card_id in ids])
    assert suggestion.ok, suggestion.disagreements
    ruleset = rules_from_toml(suggestion.toml)
    further = data.draw(st.text(alphabet=alphabet, min_size=width, max_size=width))
    assume(parse_swipe(make(further), RuleSet.empty()).status == "no_match")
    assert parse_swipe(make(further), ruleset).card_id == further
