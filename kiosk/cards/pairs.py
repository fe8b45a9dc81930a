"""Reading the (swipe, card_id) pairs CSV that ``kiosk rules suggest`` learns from."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from drivers.capture import CaptureFormatError, unescape_swipe
from kiosk.errors import UserError, reading_file

REQUIRED_COLUMNS = ("swipe", "card_id")


class PairsFileError(UserError):
    """A pairs CSV that cannot be read."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class SwipePair:
    """One example: the swipe (decoded from its capture-line form), the card_id, its CSV line."""

    line: int
    swipe: str = field(repr=False)
    card_id: str


def read_pairs(path: str | Path) -> list[SwipePair]:
    """The pairs in a CSV with ``swipe`` (capture-line form) and ``card_id`` columns."""
    path = Path(path)
    try:
        with (
            reading_file(path, "pairs file", PairsFileError),
            path.open(encoding="utf-8-sig", newline="") as handle,
        ):
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            missing = [name for name in REQUIRED_COLUMNS if name not in columns]
            if missing:
                raise PairsFileError(
                    f"{path} needs the columns swipe and card_id (missing: {', '.join(missing)}); "
                    "write the swipe as a capture line, e.g. ;90123456701?"
                )
            pairs = []
            for row in reader:
                swipe, card_id = row.get("swipe"), row.get("card_id")
                if swipe is None or card_id is None:
                    raise PairsFileError(
                        f"Line {reader.line_num} of {path} has too few cells; "
                        "give a swipe and a card_id on every line."
                    )
                if not swipe.strip() and not card_id.strip():
                    continue
                try:
                    text = unescape_swipe(swipe, reader.line_num)
                except CaptureFormatError as error:
                    raise PairsFileError(f"{path}: {error}") from None
                pairs.append(SwipePair(reader.line_num, text, card_id.strip()))
    except csv.Error as error:
        raise PairsFileError(f"{path} is not a readable CSV file ({error}).") from None
    if not pairs:
        raise PairsFileError(
            f"{path} has no pairs; add a line per card with its swipe and card_id."
        )
    return pairs
