"""Saving the card rules from staff mode: the file is edited in place (comments kept) and the
previous version is kept beside it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kiosk.cards.rules import RuleSet, dump_rules, rules_from_toml
from kiosk.errors import UserError
from kiosk.paths import copy_private, open_private


def previous_version_path(path: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.name}.{stamp}.bak")


def rules_file_text(path: Path, ruleset: RuleSet) -> str:
    """The text to save: the current file edited in place (its comments and commented-out
    presets kept), or the plain form when there is no file or it cannot be edited safely."""
    # tomlkit is imported here, when staff save rules, not when the kiosk starts
    from tomlkit.exceptions import TOMLKitError

    from kiosk.cards.rules_edit import update_rules_text

    try:
        return update_rules_text(path.read_text(encoding="utf-8"), ruleset)
    except (OSError, UnicodeDecodeError, ValueError, LookupError, TOMLKitError):
        return dump_rules(ruleset)


def save_rules(path: Path, ruleset: RuleSet) -> Path | None:
    """Write ``ruleset`` to ``path`` (atomically), keeping the old file as ``*.bak``.

    Returns the kept previous version's path (None when there was no file before).
    The text is read back before anything is replaced, so a file the kiosk could not load
    again is never written.
    """
    text = rules_file_text(path, ruleset)
    rules_from_toml(text)  # refuse to write what could not be loaded back
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.saving")
        with open_private(temporary) as out:
            out.write(text)
        kept: Path | None = None
        if path.exists():
            kept = previous_version_path(path)
            copy_private(path, kept)
        temporary.replace(path)
    except OSError as exc:
        raise UserError(
            f"Cannot save the rules to {path} ({exc.strerror}); "
            "check that the kiosk may write to that folder."
        ) from None
    return kept
