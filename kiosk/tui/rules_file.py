"""Saving the card rules from staff mode: the previous file is kept beside the new one."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from kiosk.cards.rules import RuleSet, dump_rules, rules_from_toml
from kiosk.errors import UserError


def previous_version_path(path: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.name}.{stamp}.bak")


def save_rules(path: Path, ruleset: RuleSet) -> Path | None:
    """Write ``ruleset`` to ``path`` (atomically), keeping the old file as ``*.bak``.

    Returns the kept previous version's path (None when there was no file before).
    The text is read back before anything is replaced, so a file the kiosk could not load
    again is never written.
    """
    text = dump_rules(ruleset)
    rules_from_toml(text)  # refuse to write what could not be loaded back
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.saving")
        temporary.write_text(text, encoding="utf-8")
        kept: Path | None = None
        if path.exists():
            kept = previous_version_path(path)
            shutil.copy2(path, kept)
        temporary.replace(path)
    except OSError as exc:
        raise UserError(
            f"Cannot save the rules to {path} ({exc.strerror}); "
            "check that the kiosk may write to that folder."
        ) from None
    return kept
