"""The import report: counts, errors, warnings and new values, as text tables or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from kiosk.roster.findings import Finding
from kiosk.roster.schema import CATEGORIES
from kiosk.roster.typos import NewValue

Status = Literal["imported", "dry_run", "refused"]
COUNT_KEYS: tuple[str, ...] = ("rows", "created", "updated", "unchanged", "archived", "rejected")


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a refusal, would have done)."""

    file: str
    dry_run: bool = False
    refused: str | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    rejected: int = 0
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    new_values: list[NewValue] = field(default_factory=list)
    #: the file's header cells and each rejected line's reasons (for --failed-rows)
    header: tuple[str, ...] = ()
    rejected_reasons: dict[int, str] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        if self.refused is not None:
            return "refused"
        return "dry_run" if self.dry_run else "imported"

    @property
    def exit_status(self) -> int:
        """0 imported (or would be), 1 refused or nothing valid."""
        return 1 if self.refused is not None else 0

    def refuse(self, reason: str, line: int | None = None) -> None:
        self.refused = reason
        self.errors.append(Finding(line, None, reason))

    def summary(self) -> str:
        """One line of counts (used for the audit trail)."""
        counts = " ".join(f"{key}={getattr(self, key)}" for key in COUNT_KEYS)
        return f"{self.file}: {counts}"

    def new_values_by_column(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {category: [] for category in CATEGORIES}
        for new in self.new_values:
            grouped.setdefault(new.category, []).append(new.value)
        return grouped

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "status": self.status,
            "dry_run": self.dry_run,
            "refused": self.refused,
            **{key: getattr(self, key) for key in COUNT_KEYS},
            "errors": [finding.as_dict() for finding in self.errors],
            "warnings": [finding.as_dict() for finding in self.warnings],
            "new_values": self.new_values_by_column(),
            "suggestions": [
                {"column": n.category, "value": n.value, "resembles": n.resembles,
                 "row": n.first_line}
                for n in self.new_values
                if n.resembles is not None
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def table(headings: Sequence[str], rows: Sequence[Sequence[object]], indent: str = "  ") -> str:
    """A plain-text table with aligned columns (the last column is not padded)."""
    text_rows = [[str(cell) for cell in row] for row in [headings, *rows]]
    widths = [max(len(row[i]) for row in text_rows) for i in range(len(headings))]
    lines = []
    for row in text_rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
        lines.append(indent + "  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def _findings_table(findings: Sequence[Finding]) -> str:
    return table(
        ("row", "column", "message"),
        [("file" if f.row is None else f.row, f.column or "", f.message) for f in findings],
    )


def render_text(report: ImportReport, max_findings: int = 200) -> str:
    """The readable report: counts, then a table per section."""
    title = {
        "imported": "Imported",
        "dry_run": "Dry run (nothing written)",
        "refused": "Refused (nothing written)",
    }[report.status]
    parts = [f"{title}: {report.file}"]
    if report.refused is not None:
        parts.append(f"  {report.refused}")
    labels = ("rows read", "created", "updated", "unchanged", "archived", "rejected")
    parts.extend(
        f"  {label:<10} {getattr(report, key):>8}"
        for label, key in zip(labels, COUNT_KEYS, strict=True)
    )
    for name, findings in (("Errors", report.errors), ("Warnings", report.warnings)):
        shown = [f for f in findings if f.message != report.refused]
        if not shown:
            continue
        parts.append(f"\n{name} ({len(shown)})")
        parts.append(_findings_table(shown[:max_findings]))
        if len(shown) > max_findings:
            parts.append(f"  ... and {len(shown) - max_findings} more (see --json or "
                         "--failed-rows)")
    if report.new_values:
        parts.append(f"\nNew values ({len(report.new_values)})")
        parts.append(
            table(
                ("column", "value", "rows", "looks like"),
                [
                    (n.category, n.value, n.rows, f"{n.resembles}?" if n.resembles else "")
                    for n in report.new_values
                ],
            )
        )
    return "\n".join(parts) + "\n"
