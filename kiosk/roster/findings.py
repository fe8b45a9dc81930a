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
    #: the message for a file-level fold of this code, when ``message`` names row details
    summary: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


def fold_common_warnings(found: Iterable[Finding], data_rows: int) -> list[Finding]:
    """Warnings of one ``code`` that concern most rows become one file-level warning.

    "Most" is more than half of the data rows (and at least 3). The folded warning keeps the
    column and the summary (else the message) of the first one, with a count and a few
    example rows.
    """
    warnings = list(found)
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for warning in warnings:
        if warning.code is not None and warning.row is not None:
            by_code[warning.code].append(warning)
    rows_by_code = {code: sorted({f.row for f in group if f.row is not None})
                    for code, group in by_code.items()}
    folded_codes = {
        code for code, rows in rows_by_code.items() if len(rows) >= 3 and len(rows) * 2 > data_rows
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
        rows = rows_by_code[code]
        examples = ", ".join(str(row) for row in rows[:EXAMPLES])
        result.append(
            Finding(
                None,
                warning.column,
                f"{len(rows)} of {data_rows} rows: {warning.summary or warning.message} "
                f"(e.g. rows {examples})",
                code,
            )
        )
    return result
