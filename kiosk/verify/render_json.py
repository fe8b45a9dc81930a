"""The ``--json`` form of the verify report: one object, counts and one result per swipe.

A refused swipe's result carries no card data: ``contained`` is empty and ``extracted``
null (its hint says whether a roster card_id was inside it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice
from json.encoder import encode_basestring
from typing import Any

from kiosk.verify.model import VERDICTS, MatchedRow, SwipeCheck, VerifyReport


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


def _head(report: VerifyReport) -> dict[str, Any]:
    """Every key of the object before ``results`` (keys in a stable order)."""
    quality = report.quality
    lengths = quality.length_outliers
    head: dict[str, Any] = {"swipes": len(report.checks)}
    for verdict, count in report.counts.items():
        head[verdict] = count
    head["noise"] = report.noise
    head["roster"] = {
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
    return head


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, check_circular=False)


_VERDICT_JSON = {verdict: _dumps(verdict) for verdict in VERDICTS}


def _results_json(rows: list[SwipeCheck | MatchedRow]) -> Iterator[str]:
    """Each check as the JSON text ``json.dumps`` would write for its result object
    (line, verdict, contained, extracted, rule, and hint when there is one), one string each
    and without a dict per swipe: this is most of the output for 100,000 swipes."""
    encode = encode_basestring  # what json.dumps(..., ensure_ascii=False) uses for a str
    verdict_json = _VERDICT_JSON
    matched_json = verdict_json["matched"]
    # The same few rules (and hints) end every result: `"rule": ...}` written once each.
    matched_endings: dict[str | None, str] = {}
    endings: dict[tuple[str | None, str | None], str] = {}
    for row in rows:
        if type(row) is tuple:  # a MatchedRow (line, contained, extracted, rule, message)
            line, contained, extracted, rule, _ = row
            ending = matched_endings.get(rule)
            if ending is None:
                ending = matched_endings[rule] = _ending(rule, None)
            verdict = matched_json
        else:
            assert isinstance(row, SwipeCheck)
            line, contained, extracted, rule = row.line, row.contained, row.extracted, row.rule
            ending = endings.get((rule, row.hint))
            if ending is None:
                ending = endings[rule, row.hint] = _ending(rule, row.hint)
            verdict = verdict_json[row.verdict]
        if len(contained) == 1:
            contained_json = f"[{encode(contained[0])}]"
        else:
            contained_json = f"[{', '.join(map(encode, contained))}]"
        extracted_json = "null" if extracted is None else encode(extracted)
        yield (
            f'{{"line": {int(line)}, "verdict": {verdict}, '
            f'"contained": {contained_json}, "extracted": {extracted_json}{ending}'
        )


def _ending(rule: str | None, hint: str | None) -> str:
    """The end of a result object: its rule, and its hint when there is one."""
    hint_json = f', "hint": {encode_basestring(hint)}' if hint else ""
    return f', "rule": {_dumps(rule)}{hint_json}}}'


def render_json_chunks(report: VerifyReport, batch: int = 4096) -> Iterator[str]:
    """The JSON object in pieces (the results a batch at a time), so a run with 100,000
    swipes never holds the whole text; ``"".join`` of them is :func:`render_json`."""
    head = _dumps(_head(report))
    yield head[:-1] + ', "results": ['
    results = _results_json(report.checks.rows())
    separator = ""
    while piece := ", ".join(islice(results, batch)):
        yield separator + piece
        separator = ", "
    yield f'], "exit_status": {report.exit_status}}}\n'


def render_json(report: VerifyReport) -> str:
    """One JSON object: counts, roster findings, one result per swipe, exit status."""
    return "".join(render_json_chunks(report))


def report_to_dict(report: VerifyReport) -> dict[str, Any]:
    """The JSON object as a dict (read back from :func:`render_json`, so they never differ)."""
    result: dict[str, Any] = json.loads(render_json(report))
    return result
