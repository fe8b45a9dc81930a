"""Rewrite a rules file for a changed RuleSet, keeping what people wrote in it.

Staff mode reorders, disables and adds rules; the file it saves must still carry the
comments, commented-out presets and layout that campus IT put there. The file is cut into
blocks: a preamble, then one block per table (``[[rules]]`` or ``[guard]``) that starts
with the comment lines written right above its header. Rule blocks follow their rule (by
name) when rules are reordered; inside a block only the keys whose value changed are
rewritten (with tomlkit, so comments beside the other keys stay). Rules that no block
holds are appended in the plain form ``dump_rules`` writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from kiosk.cards.rules import (
    Rule,
    RuleSet,
    RulesFileError,
    guard_to_toml,
    rule_to_toml,
    rules_from_toml,
)
from kiosk.cards.toml_text import toml_int_or_list, toml_string, toml_string_list

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z_][\w.-]*)\s*\]\]?\s*(#.*)?$")
_COMMENT = re.compile(r"^\s*#")


@dataclass
class _Block:
    table: str  # "rules", "guard" or another table name
    lines: list[str] = field(default_factory=list)


def _split(text: str) -> tuple[list[str], list[_Block], list[str]]:
    """Preamble lines, table blocks (each with the comments right above its header), and
    the file's closing run of comment and blank lines (e.g. commented-out presets)."""
    lines = text.splitlines(keepends=True)
    preamble: list[str] = []
    blocks: list[_Block] = []
    for line in lines:
        header = _HEADER.match(line)
        if header is None:
            (blocks[-1].lines if blocks else preamble).append(line)
            continue
        previous = blocks[-1].lines if blocks else preamble
        leading: list[str] = []
        while previous and _COMMENT.match(previous[-1]):
            leading.insert(0, previous.pop())
        blocks.append(_Block(header.group(1), [*leading, line]))
    closing: list[str] = []
    if blocks:
        last = blocks[-1].lines
        while len(last) > 1 and (not last[-1].strip() or _COMMENT.match(last[-1])):
            closing.insert(0, last.pop())
    for block in blocks:  # blocks are set apart by one blank line when written
        while len(block.lines) > 1 and not block.lines[-1].strip():
            block.lines.pop()
        if not block.lines[-1].endswith("\n"):
            block.lines[-1] += "\n"
    return preamble, blocks, closing


def _value(text: str) -> Any:
    """A tomlkit item written exactly as ``text`` (the project's own TOML spelling)."""
    return tomlkit.parse(f"value = {text}\n")["value"]


def _rule_values(rule: Rule) -> dict[str, tuple[object, str] | None]:
    """Each key of a rule: (value as read back, TOML text), or None when at its default."""
    return {
        "name": (rule.name, toml_string(rule.name)),
        "description": (rule.description, toml_string(rule.description))
        if rule.description
        else None,
        "pattern": (rule.pattern, toml_string(rule.pattern)),
        "track": (rule.track, toml_int_or_list(rule.track)) if rule.track else None,
        "transforms": (rule.transforms, toml_string_list(rule.transforms))
        if rule.transforms
        else None,
        "reader": (rule.reader, toml_string(rule.reader)) if rule.reader is not None else None,
        "enabled": None if rule.enabled else (False, "false"),
        "trailing_text": (True, "true") if rule.trailing_text else None,
    }


def _as_read(key: str, value: Any) -> object:
    """A value from the file in the form a Rule or RuleSet holds it (lists as tuples, a
    single track as a one-item tuple), to tell whether it changed."""
    plain = value.unwrap() if hasattr(value, "unwrap") else value
    if isinstance(plain, list):
        return tuple(plain)
    if key == "track":
        return (plain,)
    return plain


def _edit_table(table: Any, values: dict[str, tuple[object, str] | None]) -> None:
    for key, wanted in values.items():
        if wanted is None:
            if key in table:
                del table[key]
        elif key not in table or _as_read(key, table[key]) != wanted[0]:
            table[key] = _value(wanted[1])


def _edited_block(block: _Block, values: dict[str, tuple[object, str] | None]) -> str:
    document = tomlkit.parse("".join(block.lines))
    table = document[block.table]
    _edit_table(table[0] if block.table == "rules" else table, values)
    text = tomlkit.dumps(document)
    return text if text.endswith("\n") else text + "\n"


def _block_rule_name(block: _Block) -> str | None:
    try:
        tables = tomlkit.parse("".join(block.lines)).get("rules")
    except TOMLKitError:
        return None
    name = tables[0].get("name") if tables else None
    return str(name) if name is not None else None


def update_rules_text(original: str, ruleset: RuleSet) -> str:
    """``original`` rewritten so it reads back as ``ruleset``, its comments kept.

    Raises ValueError when the result would not read back as ``ruleset`` (the caller then
    writes the plain form instead)."""
    preamble, blocks, closing = _split(original)
    by_name = {name: b for b in blocks if b.table == "rules" and (name := _block_rule_name(b))}
    wanted = iter(ruleset.rules)
    pieces: list[str] = []
    guard_written = False
    for block in blocks:
        if block.table == "rules":
            rule = next(wanted, None)
            if rule is not None:
                pieces.append(_rule_text(rule, by_name.get(rule.name)))
        elif block.table == "guard":
            guard_written = True
            if ruleset.campus_prefixes:
                prefixes = (ruleset.campus_prefixes, toml_string_list(ruleset.campus_prefixes))
                pieces.append(_edited_block(block, {"campus_prefixes": prefixes}))
        else:
            pieces.append("".join(block.lines))
    pieces.extend(_rule_text(rule, by_name.get(rule.name)) for rule in wanted)
    if not guard_written and ruleset.campus_prefixes:
        pieces.append(guard_to_toml(ruleset.campus_prefixes))
    head = "".join(preamble)
    if head and pieces and not head.endswith("\n\n"):
        head = head.rstrip("\n") + "\n\n"
    tail = "".join(closing)
    if tail and not tail.startswith("\n"):
        tail = "\n" + tail
    text = head + "\n".join(pieces) + tail
    try:
        reads_back = rules_from_toml(text) == ruleset
    except RulesFileError:
        reads_back = False
    if not reads_back:
        raise ValueError("the edited rules file does not read back as the rules to save")
    return text


def _rule_text(rule: Rule, block: _Block | None) -> str:
    if block is None:
        return rule_to_toml(rule)
    return _edited_block(block, _rule_values(rule))
