"""The ``--json`` form of the verify report: one object, counts and one result per swipe.

A refused swipe's result carries no card data: ``contained`` is empty and ``extracted``
null (its hint says whether a roster card_id was inside it).
"""

from __future__ import annotations

import json
from typing import Any

from kiosk.verify.model import VerifyReport


def _findings(report: VerifyReport) -> list[dict[str, Any]]:
    quality = report.quality
    findings: list[dict[str, Any]] = []
    for inner, outer in quality.nested:
        findings.append({"kind": "contained_in_other", "usernames": [inner, outer]})
    for group in quality.duplicates:
        findings.append({"kind": "duplicate", "usernames": list(group)})
    if quality.excel_damage:
        findings.append({"kind": "excel_damage", "usernames": list(quality.excel_damage)})
    lengths = quality.length_outliers
    if lengths is not None and lengths.shorter:
        findings.append({"kind": "shorter", "usernames": list(lengths.shorter),
                         "common_length": lengths.common_length})
    if lengths is not None and lengths.longer:
        findings.append({"kind": "longer", "usernames": list(lengths.longer),
                         "common_length": lengths.common_length})
    if quality.character_outliers:
        findings.append(
            {"kind": "character_outlier", "usernames": list(quality.character_outliers)}
        )
    if quality.missing:
        findings.append({"kind": "missing", "usernames": list(quality.missing)})
    return findings


def report_to_dict(report: VerifyReport) -> dict[str, Any]:
    """The JSON object as a dict (keys in a stable order)."""
    quality = report.quality
    lengths = quality.length_outliers
    result: dict[str, Any] = {"swipes": len(report.checks)}
    for verdict, count in report.counts.items():
        result[verdict] = count
    result["noise"] = report.noise
    result["roster"] = {
        "source": report.roster_source,
        "students": report.students,
        "card_ids": quality.with_card_id,
        "contained_in_other": len(report.contained_in_other),
        "missing": len(quality.missing),
        "duplicates": sum(len(group) for group in quality.duplicates),
        "excel_damage": len(quality.excel_damage),
        "length_outliers": len(lengths.keys) if lengths is not None else 0,
        "character_outliers": len(quality.character_outliers),
        "findings": _findings(report),
    }
    result["results"] = [
        {
            "line": check.line,
            "verdict": check.verdict,
            "contained": list(check.contained),
            "extracted": check.extracted,
            "rule": check.rule,
            **({"hint": check.hint} if check.hint else {}),
        }
        for check in report.checks
    ]
    result["exit_status"] = report.exit_status
    return result


def render_json(report: VerifyReport) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, check_circular=False) + "\n"
