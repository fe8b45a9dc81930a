"""``kiosk doctor``: is this kiosk ready for an event? Every check, each with one sentence.

Unlike ``kiosk run``, which stops at the first problem, the doctor reports all of them, and it
never opens or grabs a reader (another kiosk process may be using it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from drivers.probe import probe_reader
from kiosk.cards.card_ids import analyze_card_ids
from kiosk.cards.rules import load_rules
from kiosk.checkin.events import find_event
from kiosk.checkin.staff import has_pin
from kiosk.config import KioskConfig, database_url, default_rules_path, load_config
from kiosk.db.migrate import current_revision, head_revision
from kiosk.db.models import Student
from kiosk.db.session import open_database
from kiosk.errors import UserError

Verdict = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """One thing the doctor looked at: ``detail`` says what it found or what to do."""

    name: str
    verdict: Verdict
    detail: str


def diagnose(
    config_path: Path | None,
    db: str | None,
    *,
    event: str | None = None,
    reader_specs: list[str] | None = None,
    rules_file: Path | None = None,
) -> list[Check]:
    """Every check for the kiosk ``kiosk run`` would start with the same options: the
    settings file (``config_path``, else the default one), with ``event``, ``reader_specs``
    and ``rules_file`` in place of its values, as ``run``'s --event, --reader and --rules."""
    checks: list[Check] = []
    try:
        loaded = load_config(config_path)
    except UserError as error:
        checks.append(Check("settings", "fail", str(error)))
        loaded = KioskConfig()
    else:
        where = f"from {loaded.source}" if loaded.source else "defaults (no kiosk.toml found)"
        checks.append(Check("settings", "ok", f"Settings {where}."))
    try:
        config = loaded.with_overrides(
            event=event, reader_specs=reader_specs, rules_file=rules_file
        )
    except UserError as error:
        checks.append(Check("readers", "fail", str(error)))
        config = loaded.with_overrides(event=event, rules_file=rules_file)
    checks.append(_rules_check(config))
    checks.extend(_reader_checks(config))
    try:
        engine = open_database(database_url(db, config))
    except UserError as error:
        checks.append(Check("database", "fail", str(error)))
        return checks
    try:
        checks.extend(check(engine, config) for check in _DATABASE_CHECKS)
    finally:
        engine.dispose()
    return checks


def _rules_check(config: KioskConfig) -> Check:
    path = config.rules_file or default_rules_path()
    if config.rules_file is None and not path.exists():
        return Check(
            "card rules",
            "warn",
            "No rules file: swipes match by card_id containment only "
            "(write one with `kiosk rules suggest`).",
        )
    try:
        rules = load_rules(path)
    except UserError as error:
        return Check("card rules", "fail", str(error))
    enabled = sum(1 for rule in rules.rules if rule.enabled)
    return Check("card rules", "ok", f"{enabled} rule(s) enabled in {path}.")


def _reader_checks(config: KioskConfig) -> Iterator[Check]:
    readers = config.reader_configs()
    if not readers:
        yield Check(
            "readers",
            "fail",
            "No reader configured: give --reader SPEC or [[readers]] in kiosk.toml "
            "(`kiosk readers list`), or --reader terminal for a keyboard reader typing into "
            "the kiosk's terminal.",
        )
        return
    for reader in readers:
        name = f"reader {reader.name}"
        try:
            status = probe_reader(reader.spec, reader.name)
        except UserError as error:
            yield Check(name, "fail", str(error))
            continue
        verdict: Verdict = "ok" if status.state == "connected" else "fail"
        yield Check(name, verdict, status.message)


def _schema_check(engine: Engine, _config: KioskConfig) -> Check:
    url = engine.url.render_as_string(hide_password=True)
    revision = current_revision(engine)
    return Check("database", "ok", f"{url}, schema {revision} (newest {head_revision()}).")


def _roster_check(engine: Engine, _config: KioskConfig) -> Check:
    with Session(engine) as session:
        active = session.exec(
            select(func.count()).select_from(Student).where(col(Student.archived).is_(False))
        ).one()
        with_card = session.exec(
            select(func.count())
            .select_from(Student)
            .where(col(Student.archived).is_(False), col(Student.card_id).is_not(None))
        ).one()
    if active == 0:
        return Check("roster", "fail", "No students: import the roster with `kiosk import FILE`.")
    verdict: Verdict = "ok" if with_card == active else "warn"
    detail = f"{active} students, {with_card} with a card_id"
    if with_card < active:
        detail += " (the others can check in by username or email only)"
    return Check("roster", verdict, detail + ".")


def _card_id_check(engine: Engine, _config: KioskConfig) -> Check:
    with Session(engine) as session:
        pairs = session.exec(
            select(Student.card_id, Student.username).where(col(Student.archived).is_(False))
        ).all()
    quality = analyze_card_ids((card_id, username) for card_id, username in pairs)
    problems = []
    if quality.contained_in_other:
        problems.append(
            f"{len(quality.contained_in_other)} card_id(s) sit inside another student's "
            "(a swipe would match both)"
        )
    if quality.duplicates:
        problems.append(f"{len(quality.duplicates)} card_id(s) shared by several students")
    if quality.excel_damage:
        problems.append(f"{len(quality.excel_damage)} card_id(s) damaged by Excel")
    if not problems:
        return Check("card_ids", "ok", "Every card_id is unique and none sits inside another.")
    return Check("card_ids", "warn", "; ".join(problems) + ": see `kiosk verify --roster db`.")


def _pin_check(engine: Engine, _config: KioskConfig) -> Check:
    if has_pin(engine):
        return Check("staff PIN", "ok", "A staff PIN is set.")
    return Check("staff PIN", "fail", "No staff PIN: run `kiosk staff set-pin`.")


def _event_check(engine: Engine, config: KioskConfig) -> Check:
    if not config.event:  # `kiosk run` refuses to start without one
        return Check(
            "event",
            "fail",
            "No event: give --event ID|NAME (to doctor and run alike) or event in kiosk.toml "
            "(`kiosk events list`; `kiosk events create NAME` makes one).",
        )
    try:
        event = find_event(engine, config.event)
    except UserError as error:
        return Check("event", "fail", str(error))
    handshake = (
        f"Handshake id {event.handshake_id}"
        if event.handshake_id
        else ("no Handshake id yet (needed to export attendance: `kiosk events set-handshake-id`)")
    )
    return Check("event", "ok", f"{event.name} (id {event.id}), {handshake}.")


def _nametag_check(engine: Engine, config: KioskConfig) -> Check:
    """The name tag printer of kiosk.toml, for the event's label (kiosk.nametags.check)."""
    from kiosk.nametags.check import printer_check

    label = None
    if config.event:
        with contextlib.suppress(UserError):  # the event check says so
            label = find_event(engine, config.event).nametag_label
    verdict, detail = printer_check(config.nametag_printer, label, config.nametag_timeout_seconds)
    return Check("name tags", verdict, detail)


_DATABASE_CHECKS: tuple[Callable[[Engine, KioskConfig], Check], ...] = (
    _schema_check,
    _roster_check,
    _card_id_check,
    _pin_check,
    _event_check,
    _nametag_check,
)
