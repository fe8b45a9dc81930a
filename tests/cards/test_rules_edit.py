"""Saving edited rules keeps what people wrote in the file: comments, commented-out presets,
inline notes and the spelling of values that did not change."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kiosk.cards.rules import Rule, RuleSet, dump_rules, rules_from_toml
from kiosk.cards.rules_edit import update_rules_text
from kiosk.cards.rules_file import save_rules

ORIGINAL = """\
# Card rules for Example University (IT: call x4242 before changing)
# Tested against the fall 2026 capture.

[guard]
# our ISO issuer prefix
campus_prefixes = ["600999"]  # from the card vendor's sheet

# Magstripe: campus ISO number on track 2
[[rules]]
name = "campus-iso"
pattern = ';600999(\\d{9})\\d='   # drop prefix and check digit
track = 2

# Old cards: 9-digit id and a 2-digit issue code
[[rules]]
name = "id-plus-issue"
pattern = ';(\\d{9})\\d{2}\\?'
# the issue code changes when a card is replaced

# Prox cards at the rec center (pcProx types a 10-digit number)
[[rules]]
name = "prox"
reader = "rec-center"
pattern = '^(\\d{10})$'
transforms = [
    "low_bits:16",  # card number only
]

# --- preset kept for later:
# [[rules]]
# name = "barcode"
# pattern = '^B(\\d{9})$'
"""


def _comments(text: str) -> Counter[str]:
    """Every comment, whole-line or inline, as written."""
    found: Counter[str] = Counter()
    for line in text.splitlines():
        if "#" in line:
            found[line[line.index("#") :].strip()] += 1
    return found


def _rules(text: str) -> list[Rule]:
    return list(rules_from_toml(text).rules)


def test_reordering_and_disabling_keeps_every_comment_with_its_rule() -> None:
    iso, issue, prox = _rules(ORIGINAL)
    edited = RuleSet((replace(prox, enabled=False), iso, issue), ("600999",))
    text = update_rules_text(ORIGINAL, edited)
    assert rules_from_toml(text) == edited
    assert _comments(text) == _comments(ORIGINAL)
    # The comment above a rule moved with it; the header comment and the presets stayed put.
    assert text.startswith("# Card rules for Example University")
    prox_at = text.index("# Prox cards at the rec center")
    assert prox_at < text.index('name = "prox"') < text.index("# Magstripe: campus ISO")
    assert text.rstrip().endswith("# pattern = '^B(\\d{9})$'")
    assert 'campus_prefixes = ["600999"]  # from the card vendor\'s sheet' in text
    assert "enabled = false" in text


def test_only_changed_values_are_rewritten() -> None:
    iso, issue, prox = _rules(ORIGINAL)
    edited = RuleSet((iso, replace(issue, pattern=";(\\d{9})\\d{2}"), prox), ("600999", "601234"))
    text = update_rules_text(ORIGINAL, edited)
    assert rules_from_toml(text) == edited
    assert "pattern = ';600999(\\d{9})\\d='   # drop prefix and check digit" in text
    assert "pattern = ';(\\d{9})\\d{2}'" in text
    assert "campus_prefixes = ['600999', '601234']" in text
    assert "# our ISO issuer prefix" in text


def test_a_new_rule_goes_after_the_last_rule_and_a_removed_rule_takes_its_comments() -> None:
    iso, _issue, prox = _rules(ORIGINAL)
    new = Rule(name="student-barcode", pattern="^S(\\d{8})$", transforms=("zfill:9",))
    edited = RuleSet((iso, prox, new), ("600999",))
    text = update_rules_text(ORIGINAL, edited)
    assert rules_from_toml(text) == edited
    assert "id-plus-issue" not in text and "# Old cards" not in text
    assert "# the issue code changes" not in text
    assert text.index('name = "prox"') < text.index("student-barcode") < text.index("# --- preset")


def test_a_file_without_a_guard_gets_one_when_prefixes_are_added() -> None:
    original = "# just one rule\n[[rules]]\nname = \"a\"\npattern = ';(\\d+)\\?'\n"
    (rule,) = _rules(original)
    edited = RuleSet((rule,), ("600999",))
    text = update_rules_text(original, edited)
    assert rules_from_toml(text) == edited
    assert text.startswith("# just one rule\n")


@given(
    order=st.permutations([0, 1, 2]),
    enabled=st.lists(st.booleans(), min_size=3, max_size=3),
    prefixes=st.sampled_from([(), ("600999",), ("600999", "601234")]),
)
def test_any_reorder_and_switching_reads_back_and_keeps_the_comments(
    order: list[int], enabled: list[bool], prefixes: tuple[str, ...]
) -> None:
    rules = _rules(ORIGINAL)
    edited = RuleSet(
        tuple(replace(rules[i], enabled=on) for i, on in zip(order, enabled, strict=True)),
        prefixes,
    )
    text = update_rules_text(ORIGINAL, edited)
    assert rules_from_toml(text) == edited
    kept = _comments(text)
    if prefixes:
        assert kept == _comments(ORIGINAL)
    else:  # the [guard] table and its comments go with the last prefix
        guard_comments = Counter(["# our ISO issuer prefix", "# from the card vendor's sheet"])
        assert kept == _comments(ORIGINAL) - guard_comments


def test_save_rules_edits_the_file_in_place_and_keeps_the_previous_version(
    tmp_path: Path,
) -> None:
    path = tmp_path / "card-rules.toml"
    path.write_text(ORIGINAL, encoding="utf-8")
    iso, issue, prox = _rules(ORIGINAL)
    edited = RuleSet((issue, iso, prox), ("600999",))
    kept = save_rules(path, edited)
    assert kept is not None and kept.read_text(encoding="utf-8") == ORIGINAL
    saved = path.read_text(encoding="utf-8")
    assert rules_from_toml(saved) == edited
    assert _comments(saved) == _comments(ORIGINAL)


def test_a_file_that_cannot_be_edited_is_written_plain(tmp_path: Path) -> None:
    path = tmp_path / "card-rules.toml"
    path.write_bytes(b"\xff\xfe not text")  # not UTF-8: nothing to keep
    edited = RuleSet((Rule(name="a", pattern=";(\\d+)\\?"),))
    save_rules(path, edited)
    assert path.read_text(encoding="utf-8") == dump_rules(edited)


def test_a_file_the_editor_cannot_cut_into_tables_still_saves_the_rules(tmp_path: Path) -> None:
    # A multi-line string with a line that looks like a table header fools the block cutter:
    # neither piece parses alone, so the rule is written afresh, and the file still reads back.
    path = tmp_path / "card-rules.toml"
    path.write_text(
        "[[rules]]\nname = \"a\"\npattern = ';(\\d+)\\?'\n"
        'description = """two lines\n[[rules]]\n"""\n',
        encoding="utf-8",
    )
    (rule,) = _rules(path.read_text(encoding="utf-8"))
    edited = RuleSet((replace(rule, enabled=False),))
    save_rules(path, edited)
    assert rules_from_toml(path.read_text(encoding="utf-8")) == edited
