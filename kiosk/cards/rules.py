"""Card rules: how to cut the card_id out of a swipe, loaded from (and saved to) TOML.

A rules file is an ordered list of ``[[rules]]``; the first rule that matches a swipe gives the
card_id, so magstripe, prox and barcode readers can share one kiosk. Every pattern and
transform is compiled when the file is loaded, and a broken file is refused with a sentence
naming the rule and key, so the kiosk never starts with rules it would misapply. Patterns are
compiled by :mod:`kiosk.cards.rule_regex`: every search is linear in the swipe's length, so no
rule can stall a swipe, and features that would need backtracking are refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.cards.toml_text import toml_int_or_list, toml_string, toml_string_list
from kiosk.cards.tracks import Tracks
from kiosk.cards.transforms import TransformSpecError, compile_chain
from kiosk.errors import UserError, reading_file

if TYPE_CHECKING:  # the pattern compiler (RE2 and the syntax tree) loads with the first rule:
    # a command that checks swipes without rules (kiosk verify, kiosk parse) never needs it
    from kiosk.cards.rule_regex import MatchLike, RulePattern

RULE_KEYS = (
    "name",
    "pattern",
    "track",
    "transforms",
    "reader",
    "enabled",
    "description",
    "trailing_text",
)
TOP_LEVEL_KEYS = ("rules", "guard")
GUARD_KEYS = ("campus_prefixes",)


class RulesFileError(UserError):
    """A rules file (or rule) that cannot be used; the message names the rule and key."""

    exit_code = 2


def _rule_error(name: str, key: str, problem: str) -> RulesFileError:
    return RulesFileError(f"rule '{name}', key '{key}': {problem}")


def _regex_error_text(pattern: str, error: re.error) -> str:
    position = error.pos if error.pos is not None else len(pattern)
    return (
        f"the regular expression is invalid: {error.msg} at position {position}\n"
        f"    {pattern}\n"
        f"    {' ' * position}^"
    )


# Characters with a meaning in a pattern, and what may follow a character to make it optional.
_PATTERN_SYNTAX = frozenset("\\.^$*+?{}[]()|")
_OPTIONAL_AFTER = frozenset("*?{")


def _leading_literal(pattern: str) -> str | None:
    """The plain character a pattern starts with (after a ``^``), which every match then
    contains; None when there is none or the pattern could match without it (an
    alternative ``|``, a following ``*``, ``?`` or ``{``)."""
    body = pattern[1:] if pattern.startswith("^") else pattern
    if not body or "|" in pattern or body[0] in _PATTERN_SYNTAX or not body[0].isprintable():
        return None
    if body[1:2] in _OPTIONAL_AFTER and body[1:2]:
        return None
    return body[0]


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """Where a rule's pattern matched: the captured text, its span in the cleaned swipe, the
    card_id after transforms (None when a transform could not apply) and the track searched."""

    captured: str
    start: int
    end: int
    card_id: str | None
    track: int | None


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule. Constructing it compiles and checks the pattern and transforms."""

    name: str
    pattern: str
    track: tuple[int, ...] = ()
    transforms: tuple[str, ...] = ()
    reader: str | None = None
    enabled: bool = True
    description: str = ""
    #: True: the rule also reads a stripe followed by text that is not a track (a reader's
    #: suffix, a wrong LRC or a cut-off track after the last complete one), which is a
    #: misread for every other rule.
    trailing_text: bool = False
    # Compiled when the rule is made (read-only): the pattern, the number of the group holding
    # the card_id (the one named card_id, else 1, or 0 for the whole match), the transforms as
    # one function.
    regex: RulePattern = field(init=False, repr=False, compare=False)
    card_id_group: int = field(init=False, repr=False, compare=False)
    transform: Callable[[str], str | None] | None = field(init=False, repr=False, compare=False)
    ok_message: str = field(init=False, repr=False, compare=False)
    #: A character every match contains (the pattern's first, when it is a plain one), or
    #: None: a swipe without it cannot match, and is passed over without a search.
    literal: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from kiosk.cards.rule_regex import UnsupportedFeature, compile_rule_pattern

        if not isinstance(self.name, str) or not self.name.strip():
            raise RulesFileError('every rule needs a name, e.g. name = "campus-card"')
        if not isinstance(self.pattern, str) or not self.pattern:
            raise _rule_error(self.name, "pattern", "give a regular expression in single quotes")
        try:
            regex = compile_rule_pattern(self.pattern)
        except re.error as error:
            raise _rule_error(
                self.name, "pattern", _regex_error_text(self.pattern, error)
            ) from None
        except UnsupportedFeature as error:
            raise _rule_error(self.name, "pattern", str(error)) from None
        if isinstance(self.track, int):  # tolerate track=2 from Python callers
            object.__setattr__(self, "track", (self.track,))
        if not isinstance(self.track, tuple) or not all(
            type(number) is int and number in (1, 2, 3) for number in self.track
        ):
            raise _rule_error(
                self.name, "track", "must be 1, 2 or 3, or a list of them such as [2, 1]"
            )
        object.__setattr__(self, "transforms", tuple(self.transforms))
        try:
            transform = compile_chain(self.transforms)
        except TransformSpecError as error:
            raise _rule_error(self.name, "transforms", str(error)) from None
        if self.reader is not None and (not isinstance(self.reader, str) or not self.reader):
            raise _rule_error(self.name, "reader", "must be the name of a configured reader")
        if not isinstance(self.trailing_text, bool):
            raise _rule_error(self.name, "trailing_text", "must be true or false")
        group = regex.groupindex.get("card_id", 1 if regex.groups else 0)
        object.__setattr__(self, "regex", regex)
        object.__setattr__(self, "card_id_group", group)
        object.__setattr__(self, "transform", transform)
        object.__setattr__(self, "ok_message", f"card_id from rule '{self.name}'.")
        object.__setattr__(self, "literal", _leading_literal(self.pattern))

    def applies_to(self, reader: str | None) -> bool:
        """True when the rule is enabled and not limited to another reader."""
        return self.enabled and (self.reader is None or self.reader == reader)

    def card_id_from(self, match: MatchLike) -> str | None:
        """The card_id a match of this rule's pattern gives (None when empty or a transform
        cannot apply)."""
        value = match.group(self.card_id_group)
        if not value:
            return None
        if self.transform is None:
            return value
        return self.transform(value) or None

    def extract(self, cleaned: str, tracks: Tracks) -> str | None:
        """The card_id this rule gives for a cleaned swipe, or None when it does not match."""
        if not self.track:
            match = self.regex.search(cleaned)
            return None if match is None else self.card_id_from(match)
        for number in self.track:
            track = tracks.get(number)
            if track is None:
                continue
            match = self.regex.search(track.data)
            card_id = None if match is None else self.card_id_from(match)
            if card_id:
                return card_id
        return None

    def find(self, cleaned: str, tracks: Tracks) -> RuleMatch | None:
        """Where the rule matched (for the staff rule tester), trying each track in order."""
        if not self.track:
            return self._match_at(self.regex.search(cleaned), 0, None)
        last: RuleMatch | None = None
        for number in self.track:
            found = self.find_in_track(cleaned, tracks, number)
            if found is not None and found.card_id:
                return found
            last = found or last
        return last

    def find_in_track(self, cleaned: str, tracks: Tracks, number: int) -> RuleMatch | None:
        track = tracks.get(number)
        if track is None:
            return None
        return self._match_at(self.regex.search(track.data), track.start, number)

    def _match_at(
        self, match: MatchLike | None, offset: int, track: int | None
    ) -> RuleMatch | None:
        captured = None if match is None else match.group(self.card_id_group)
        if match is None or not captured:
            return None
        start, end = match.span(self.card_id_group)
        return RuleMatch(
            captured,
            start + offset,
            end + offset,
            self.card_id_from(match),
            track,
        )


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The ordered rules of a kiosk and the campus card prefixes the payment guard allows."""

    rules: tuple[Rule, ...] = ()
    campus_prefixes: tuple[str, ...] = ()
    _by_reader: dict[str | None, tuple[Rule, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def empty(cls) -> RuleSet:
        """No rules and no campus prefixes: every readable swipe is ``no_match``."""
        return cls()

    def rules_for(self, reader: str | None) -> tuple[Rule, ...]:
        """The enabled rules that apply to swipes from ``reader``, in order (cached)."""
        cached = self._by_reader.get(reader)
        if cached is None:
            cached = tuple(rule for rule in self.rules if rule.applies_to(reader))
            if len(self._by_reader) < 64:
                self._by_reader[reader] = cached
        return cached


# ---------------------------------------------------------------- reading TOML


def _check_keys(table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise RulesFileError(
                f"{where} has an unknown key '{key}'; the keys are {', '.join(allowed)}"
            )


def _rule_from_table(index: int, table: Any) -> Rule:
    if not isinstance(table, dict):
        raise RulesFileError(f"rule {index} must be a [[rules]] table")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RulesFileError(f'rule {index} needs a name, e.g. name = "campus-card"')
    _check_keys(table, RULE_KEYS, f"rule '{name}'")
    if "pattern" not in table:
        raise _rule_error(name, "pattern", "is missing; give a regular expression in single quotes")
    pattern = table["pattern"]
    if not isinstance(pattern, str):
        raise _rule_error(name, "pattern", "must be a string in single quotes, e.g. ';(\\d{9})'")
    track = table.get("track", ())
    if isinstance(track, list):
        track = tuple(track)
    elif type(track) is int:
        track = (track,)
    elif track != ():
        raise _rule_error(name, "track", "must be 1, 2 or 3, or a list of them such as [2, 1]")
    transforms = table.get("transforms", [])
    if isinstance(transforms, str):
        transforms = [transforms]
    if not isinstance(transforms, list):
        raise _rule_error(name, "transforms", 'must be a list such as ["strip_leading_zeros"]')
    reader = table.get("reader")
    if reader is not None and not isinstance(reader, str):
        raise _rule_error(name, "reader", "must be the name of a configured reader, in quotes")
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise _rule_error(name, "enabled", "must be true or false")
    description = table.get("description", "")
    if not isinstance(description, str):
        raise _rule_error(name, "description", "must be a string")
    trailing_text = table.get("trailing_text", False)
    if not isinstance(trailing_text, bool):
        raise _rule_error(name, "trailing_text", "must be true or false")
    return Rule(
        name=name,
        pattern=pattern,
        track=track,
        transforms=tuple(transforms),
        reader=reader,
        enabled=enabled,
        description=description,
        trailing_text=trailing_text,
    )


def _campus_prefixes(guard: Any) -> tuple[str, ...]:
    if not isinstance(guard, dict):
        raise RulesFileError("[guard] must be a table")
    _check_keys(guard, GUARD_KEYS, "[guard]")
    prefixes = guard.get("campus_prefixes", [])
    if not isinstance(prefixes, list):
        raise RulesFileError(
            "[guard], key 'campus_prefixes': must be a list of quoted digit strings, "
            'e.g. campus_prefixes = ["600999"]'
        )
    for prefix in prefixes:
        if not isinstance(prefix, str) or not prefix.isdigit() or not prefix.isascii():
            raise RulesFileError(
                f"[guard], key 'campus_prefixes': {prefix!r} is not a quoted string of digits; "
                'write it like "600999"'
            )
    return tuple(prefixes)


def rules_from_toml(text: str) -> RuleSet:
    """The RuleSet described by TOML text; RulesFileError names the rule and key at fault."""
    import tomllib  # here: only a rules file needs it

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        hint = ""
        if "escape" in str(error).lower():
            hint = (
                "; write regular expressions between single quotes, e.g. pattern = ';(\\d{9})\\?'"
            )
        raise RulesFileError(f"not valid TOML: {error}{hint}") from None
    _check_keys(document, TOP_LEVEL_KEYS, "the file")
    tables = document.get("rules", [])
    if not isinstance(tables, list):
        raise RulesFileError("'rules' must be written as [[rules]] tables")
    rules = tuple(_rule_from_table(index, table) for index, table in enumerate(tables, 1))
    seen: set[str] = set()
    for rule in rules:
        if rule.name in seen:
            raise RulesFileError(f"two rules are named '{rule.name}'; give each a unique name")
        seen.add(rule.name)
    return RuleSet(rules, _campus_prefixes(document.get("guard", {})))


def load_rules(path: str | Path) -> RuleSet:
    """The RuleSet in a rules file; RulesFileError (exit 2) says what is wrong and where."""
    path = Path(path)
    with reading_file(path, "rules file", RulesFileError):
        text = path.read_text(encoding="utf-8")
    try:
        return rules_from_toml(text)
    except RulesFileError as error:
        raise RulesFileError(f"In the rules file {path}: {error}") from None


# ---------------------------------------------------------------- writing TOML


def rule_to_toml(rule: Rule) -> str:
    """One ``[[rules]]`` table (keys at their defaults are left out)."""
    lines = ["[[rules]]", f"name = {toml_string(rule.name)}"]
    if rule.description:
        lines.append(f"description = {toml_string(rule.description)}")
    lines.append(f"pattern = {toml_string(rule.pattern)}")
    if rule.track:
        lines.append(f"track = {toml_int_or_list(rule.track)}")
    if rule.transforms:
        lines.append(f"transforms = {toml_string_list(rule.transforms)}")
    if rule.reader is not None:
        lines.append(f"reader = {toml_string(rule.reader)}")
    if not rule.enabled:
        lines.append("enabled = false")
    if rule.trailing_text:
        lines.append("trailing_text = true")
    return "\n".join(lines) + "\n"


def guard_to_toml(campus_prefixes: tuple[str, ...]) -> str:
    return f"[guard]\ncampus_prefixes = {toml_string_list(campus_prefixes)}\n"


def dump_rules(ruleset: RuleSet) -> str:
    """TOML text that ``rules_from_toml`` reads back as the same RuleSet."""
    parts = ["# Card rules: the first rule that matches a swipe gives the card_id.\n"]
    if ruleset.campus_prefixes:
        parts.append(guard_to_toml(ruleset.campus_prefixes))
    parts.extend(rule_to_toml(rule) for rule in ruleset.rules)
    return "\n".join(parts)
