"""The import plan: which rows create, update or leave students unchanged, who is archived.

Pure: it compares validated rows with the stored roster and decides; nothing is written.
A row whose card_id, email or auth_identifier belongs to another stored student is rejected
here, so a card_id never silently moves from one student to another; so is a row that would
replace a student's stored card_id with a spreadsheet-damaged one (:mod:`card_guard`), so
bad input never loses a card_id that matches at the kiosk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kiosk.roster.card_guard import replacement_damage, replacement_error
from kiosk.roster.findings import Finding
from kiosk.roster.schema import CLEAR, INDEX
from tests.roster.legacy.stored import StoredIndex, StoredStudent, StoredValues
from tests.roster.legacy.validate import Values

#: A sync may archive at most this share of the current (not archived) students without --force.
ARCHIVE_GUARD_SHARE = 0.20

_USERNAME = INDEX["username"]
_EMAIL = INDEX["email_address"]
_CARD = INDEX["card_id"]
_AUTH = INDEX["auth_identifier"]
_DISABLED = INDEX["disabled"]

#: A validated row: (line in the file, values in schema.ATTRIBUTES order).
Row = tuple[int, Values]


@dataclass(frozen=True, slots=True)
class Update:
    """A stored student whose values or archived state change."""

    student_id: int
    values: StoredValues
    archived: bool
    was_archived: bool
    #: indexes (in schema.ATTRIBUTES) of the values that differ from the stored ones
    changed: tuple[int, ...] = ()


@dataclass
class Plan:
    """What an import would do. ``creates`` are indexes into the rows given to the planner."""

    creates: list[int] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    archive_missing_ids: list[int] = field(default_factory=list)
    unchanged: int = 0
    #: indexes of the rows that are not rejected (created, updated, unchanged, archived)
    accepted: list[int] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    rejected_lines: set[int] = field(default_factory=set)
    active_before: int = 0
    #: each accepted row's effective card_id after the import (for the quality checks)
    card_ids: dict[str, str | None] = field(default_factory=dict)

    @property
    def changes_roster(self) -> bool:
        """Whether writing the plan changes any student (creates, updates or archives)."""
        return bool(self.creates or self.updates or self.archive_missing_ids)

    @property
    def updated(self) -> int:
        return sum(1 for u in self.updates if not (u.archived and not u.was_archived))

    @property
    def archived_by_rows(self) -> int:
        return sum(1 for u in self.updates if u.archived and not u.was_archived)

    @property
    def archived(self) -> int:
        return self.archived_by_rows + len(self.archive_missing_ids)

    def exceeds_archive_guard(self) -> bool:
        return self.archived > ARCHIVE_GUARD_SHARE * self.active_before


def merge(values: Values, stored: StoredValues) -> StoredValues:
    """A stored student's values after a row: blank keeps, ``**CLEAR**`` erases."""
    return tuple(
        old if new == "" else (None if new == CLEAR else new)
        for new, old in zip(values, stored, strict=True)
    )


def is_disabled(values: StoredValues) -> bool:
    """``disabled`` TRUE archives the student."""
    return values[_DISABLED] == "TRUE"


def build_plan(
    rows: Sequence[Row],
    stored: StoredIndex,
    stored_values: Callable[[], Iterable[tuple[int, StoredValues]]],
    *,
    archive_missing: bool,
    present_usernames: set[str],
) -> Plan:
    """Decide each row's fate. ``stored_values()`` yields every stored student's
    ``(id, values)``; ``present_usernames`` holds every username in the file, including
    rejected rows' (a student whose row was rejected is not missing)."""
    plan = Plan(active_before=stored.active_count)
    existing: dict[int, tuple[int, StoredStudent]] = {}
    for index, (line, values) in enumerate(rows):
        username = values[_USERNAME]
        conflicts = _conflicts(line, values, username, stored)
        if conflicts:
            plan.errors.extend(conflicts)
            plan.rejected_lines.add(line)
            continue
        plan.accepted.append(index)
        student = stored.by_username.get(username)
        if student is None:
            plan.creates.append(index)
            card_id = values[_CARD]
            plan.card_ids[username] = None if card_id in ("", CLEAR) else card_id
        else:
            existing[student.id] = (index, student)
    if existing:
        _compare_with_stored(plan, rows, existing, stored_values())
    if archive_missing:
        plan.archive_missing_ids = [
            student.id
            for username, student in stored.by_username.items()
            if not student.archived and username not in present_usernames
        ]
    return plan


def _compare_with_stored(
    plan: Plan,
    rows: Sequence[Row],
    existing: Mapping[int, tuple[int, StoredStudent]],
    stored_values: Iterable[tuple[int, StoredValues]],
) -> None:
    damaged: set[int] = set()
    for student_id, before in stored_values:
        match = existing.get(student_id)
        if match is None:
            continue
        index, student = match
        line, values = rows[index]
        damage = replacement_damage(values[_CARD], before[_CARD])
        if damage:  # the whole row is rejected: the stored card_id (and all else) is kept
            plan.errors.append(Finding(line, "card_id", replacement_error(damage)))
            plan.rejected_lines.add(line)
            damaged.add(index)
            continue
        merged = merge(values, before)
        plan.card_ids[values[_USERNAME]] = merged[_CARD]
        archived = is_disabled(merged)
        if merged == before and archived == student.archived:
            plan.unchanged += 1
        else:
            changed = tuple(i for i, (new, old) in enumerate(zip(merged, before, strict=True))
                            if new != old)
            plan.updates.append(Update(student.id, merged, archived, student.archived, changed))
    if damaged:
        plan.accepted = [index for index in plan.accepted if index not in damaged]


def _conflicts(line: int, values: Values, username: str, stored: StoredIndex) -> list[Finding]:
    errors: list[Finding] = []
    card_id = values[_CARD]
    if card_id and card_id != CLEAR and stored.card_owner.get(card_id, username) != username:
        errors.append(
            Finding(line, "card_id", "card_id has already been taken by another student; a "
                    "card_id never moves between students: clear it on the other student first")
        )
    email = values[_EMAIL]
    if stored.email_owner.get(email.lower(), username) != username:
        errors.append(
            Finding(line, "email_address", "email_address is already in use by another student")
        )
    auth = values[_AUTH]
    if auth and auth != CLEAR and stored.auth_owner.get(auth, username) != username:
        errors.append(
            Finding(line, "auth_identifier", "auth_identifier has already been taken by another "
                    "student")
        )
    return errors
