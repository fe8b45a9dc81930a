"""Errors and warnings about a roster, and folding a warning that concerns most rows into one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

#: How many example rows a file-level warning names.
EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class Finding:
    """One error or warning. ``row`` is the line number in the file (1 = the header line),
    None for a finding about the whole file. ``code`` groups warnings of one kind.
    Messages never quote card data.
    """

    row: int | None
    column: str | None
    message: str
    code: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


def fold_common_warnings(found: Iterable[Finding], data_rows: int) -> list[Finding]:
    """Warnings of one ``code`` that concern most rows become one file-level warning.

    "Most" is more than half of the data rows (and at least 3). The folded warning keeps the
    column and the message of the first one, with a count and a few example rows.
    """
    warnings = list(found)
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for warning in warnings:
        if warning.code is not None and warning.row is not None:
            by_code[warning.code].append(warning)
    folded_codes = {
        code
        for code, group in by_code.items()
        if len(group) >= 3 and len(group) * 2 > data_rows
    }
    result: list[Finding] = []
    emitted: set[str] = set()
    for warning in warnings:
        code = warning.code
        if code is None or code not in folded_codes:
            result.append(warning)
            continue
        if code in emitted:
            continue
        emitted.add(code)
        group = by_code[code]
        examples = ", ".join(str(f.row) for f in group[:EXAMPLES])
        result.append(
            Finding(
                None,
                warning.column,
                f"{len(group)} of {data_rows} rows: {warning.message} (e.g. rows {examples})",
                code,
            )
        )
    return result
