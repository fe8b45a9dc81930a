"""The readable verify report: a summary, roster findings by username, and failing swipes
with the roster card_id highlighted where it sits in the swipe text.

On a terminal the card_id is shown in reverse video; otherwise (a file, a pipe, a ticket) a
line of carets under the swipe text marks it. A refused swipe is never shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from drivers.capture import escape_swipe
from kiosk.verify.model import VERDICTS, SwipeCheck, Verdict, VerifyReport

REVERSE = "\x1b[7m"
BOLD = "\x1b[1m"
RESET = "\x1b[0m"

#: How many usernames a finding lists before "and N more".
NAMES_SHOWN = 10

_VERDICT_TEXT = {
    "refused": "refused as a payment card or encrypted output (not shown)",
    "misread": "misread",
    "ambiguous": "ambiguous: card_ids of more than one student are inside this swipe",
    "unmatched": "unmatched: no roster card_id is inside this swipe",
    "rule_mismatch": "rule mismatch: the rule does not extract the card_id inside this swipe",
    "matched": "matched",
}


@dataclass(frozen=True, slots=True)
class Mark:
    """A span of the swipe text to highlight, and what to call it."""

    start: int
    end: int
    label: str


def names(keys: Sequence[str], limit: int = NAMES_SHOWN) -> str:
    """``a, b, c and 7 more``."""
    shown = ", ".join(keys[:limit])
    rest = len(keys) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (plural or word + 's')}"


def _display(text: str) -> tuple[str, list[int]]:
    """Printable text, and each original character's column in it (plus the end column)."""
    pieces: list[str] = []
    columns: list[int] = []
    column = 0
    for char in text:
        shown = char if char.isprintable() and char != "\\" else escape_swipe(char)
        columns.append(column)
        pieces.append(shown)
        column += len(shown)
    columns.append(column)
    return "".join(pieces), columns


def highlight(text: str, marks: Sequence[Mark], tty: bool) -> list[str]:
    """Lines showing ``text`` with each mark highlighted (reverse video) or under carets."""
    shown, columns = _display(text)
    if tty:
        lines = []
        for mark in marks:
            start, end = columns[mark.start], columns[mark.end]
            lines.append(
                f"{shown[:start]}{REVERSE}{shown[start:end]}{RESET}{shown[end:]}   {mark.label}"
            )
        return lines or [shown]
    lines = [shown]
    for mark in marks:
        start, end = columns[mark.start], columns[mark.end]
        lines.append(" " * start + "^" * max(end - start, 1) + " " + mark.label)
    return lines


def _marks(check: SwipeCheck) -> list[Mark]:
    marks = [
        Mark(hit.start, hit.end, f"card_id of {names(hit.keys)}") for hit in check.occurrences
    ]
    if check.extracted and check.rule and check.verdict == "rule_mismatch":
        at = check.text.find(check.extracted)
        if at >= 0:
            marks.append(Mark(at, at + len(check.extracted), f"what rule {check.rule} extracts"))
    return marks


def _swipe_lines(check: SwipeCheck, tty: bool) -> Iterator[str]:
    heading = f"line {check.line}: {_VERDICT_TEXT[check.verdict]}"
    yield f"{BOLD}{heading}{RESET}" if tty else heading
    if check.verdict == "refused":
        yield f"    {check.message}" if check.message else ""
        if check.hint:
            yield f"    hint: {check.hint}"
        return
    if check.verdict == "misread" and check.message:
        yield f"    {check.message}"
    if check.verdict == "rule_mismatch":
        if check.extracted is None:
            yield "    no rule extracted anything from this swipe"
        elif not any(m.label.startswith("what rule") for m in _marks(check)):
            yield f"    rule {check.rule} extracts {check.extracted!r}"
    if check.verdict == "unmatched" and check.extracted is not None:
        yield f"    rule {check.rule} extracts {check.extracted!r}, which no student has"
    for line in highlight(check.text, _marks(check), tty):
        yield f"    {line}"


def _roster_lines(report: VerifyReport) -> Iterator[str]:
    quality = report.quality
    yield (
        f"Roster: {report.roster_source}: {_plural(report.students, 'student')}, "
        f"{_plural(quality.with_card_id, 'card_id')}"
    )
    if quality.nested:
        outers: dict[str, list[str]] = {}
        for inner, outer in quality.nested:
            outers.setdefault(inner, []).append(outer)
        described = [f"{inner} (inside {names(o, 3)})" for inner, o in outers.items()]
        yield (
            f"  FAIL the card_id of {_plural(len(outers), 'student')} is inside another "
            f"student's card_id, so a swipe of the longer card matches both: {names(described)}"
        )
    for group in quality.duplicates:
        yield f"  FAIL one card_id is shared by {names(group)}"
    if quality.excel_damage:
        yield (
            f"  WARN spreadsheet damage (scientific notation or a trailing .0) in the card_id of "
            f"{names(quality.excel_damage)}: export the column as text"
        )
    lengths = quality.length_outliers
    if lengths is not None and lengths.shorter:
        yield (
            f"  WARN {_plural(len(lengths.shorter), 'card_id')} shorter than the "
            f"{lengths.common_length} characters {lengths.share:.0%} share (leading zeros "
            f"lost?): {names(lengths.shorter)}"
        )
    if lengths is not None and lengths.longer:
        yield (
            f"  WARN {_plural(len(lengths.longer), 'card_id')} longer than the "
            f"{lengths.common_length} characters {lengths.share:.0%} share: "
            f"{names(lengths.longer)}"
        )
    if quality.character_outliers:
        yield (
            f"  WARN characters other than digits, where nearly all card_ids are digits only: "
            f"{names(quality.character_outliers)}"
        )
    if quality.missing:
        yield (
            f"  note {_plural(len(quality.missing), 'student')} without a card_id (cannot "
            f"check in by swipe): {names(quality.missing)}"
        )
    if quality.ok:
        yield "  ok: no card_id is inside another, no duplicates, no damage"


def _summary_line(report: VerifyReport) -> str:
    counts = report.counts
    order: list[Verdict] = ["matched", *(v for v in VERDICTS if v != "matched")]
    parts = ", ".join(f"{counts[v]:,} {v}" for v in order)
    noise = f" ({_plural(report.noise, 'noise line')} skipped)" if report.noise else ""
    return f"Swipes: {_plural(len(report.checks), 'swipe')}: {parts}{noise}"


def render_text(report: VerifyReport, *, tty: bool = False, limit: int = 50) -> str:
    """The readable report; at most ``limit`` failing swipes are shown in full."""
    lines = list(_roster_lines(report))
    if report.swipes_given:
        lines.append("")
        lines.append(_summary_line(report))
        if not report.rules_given:
            lines.append("  (no --rules: a swipe matches when exactly one card_id is inside it)")
        failing = report.failing
        for check in failing[:limit]:
            lines.append("")
            lines.extend(_swipe_lines(check, tty))
        if len(failing) > limit:
            lines.append("")
            lines.append(
                f"... and {len(failing) - limit:,} more failing swipes (--limit N, or --json)"
            )
    lines.append("")
    if report.exit_status == 0:
        lines.append(
            "OK: every swipe matched exactly one student, and no card_id is inside another."
        )
    else:
        lines.append("NOT READY: see above (exit status 1).")
    return "\n".join(lines) + "\n"
