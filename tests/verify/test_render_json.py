"""The --json text is written without a dict per swipe: it must be exactly what json.dumps
writes for the same object, whatever the usernames, rule names and hints hold."""

from __future__ import annotations

import json
from typing import Any

from drivers.capture import CapturedSwipe
from kiosk.cards.rules import rules_from_toml
from kiosk.verify.analysis import verify
from kiosk.verify.model import VerifyReport
from kiosk.verify.render_json import render_json, render_json_chunks, report_to_dict
from kiosk.verify.roster_source import RosterCardIds

RULES = rules_from_toml(
    "[[rules]]\n"
    "name = 'id \"nine\" \\\\ é'\n"
    "pattern = ';(\\d{9})\\d{2}\\?'\n"
    "[[rules]]\n"
    "name = 'whole'\n"
    "pattern = ';(\\d+)\\?'\n"
)
ROSTER = RosterCardIds(
    source='roster "ü".csv',
    pairs=[
        ("901234567", 'o"brien\\x'),
        ("7654321", "zoë\u2028"),
        ("007654321", "\U0001f600 long"),
        ("007654321", 'twin "\u2028'),  # the same card_id: a rule's card_id two students have
        ("11112222", "plain"),
        (None, "nocard"),
    ],
)
SWIPES = [
    ";90123456701?",  # matched, by the rule with the awkward name
    ";007654321?",  # ambiguous: the card_id the rule extracts is two students'
    ";555555555?",  # unmatched, with what the rule extracts
    ";1111222299?",  # rule_mismatch: the rule extracts 111122229
    "%B4111111111111111^TEST/CARD^2512101000000000000?;4111111111111111=25121010000000000?",
    "%E?;E?",  # misread
    "%B4111111111111111^X^25121011112222?",  # refused, with a roster card_id inside: a hint
]


def _report() -> VerifyReport:
    captured = [CapturedSwipe(line, text) for line, text in enumerate(SWIPES, start=1)]
    return verify(ROSTER, captured, RULES)


def _expected(report: VerifyReport) -> str:
    """The object built as dicts and written by json.dumps, as render_json once did."""
    head: dict[str, Any] = json.loads(render_json(report))
    del head["results"], head["exit_status"]
    head["results"] = [
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
    head["exit_status"] = report.exit_status
    return json.dumps(head, ensure_ascii=False) + "\n"


def test_every_verdict_is_written_as_json_dumps_would() -> None:
    report = _report()
    assert [check.verdict for check in report.checks] == [
        "matched", "ambiguous", "unmatched", "rule_mismatch", "refused", "misread", "refused"
    ]
    assert report.checks[-1].hint is not None
    assert render_json(report) == _expected(report)


def test_results_in_small_batches_join_to_the_same_text() -> None:
    report = _report()
    for batch in (1, 2, 3, 100):
        assert "".join(render_json_chunks(report, batch=batch)) == render_json(report)


def test_no_swipes_gives_an_empty_results_list() -> None:
    data = report_to_dict(verify(ROSTER))
    assert (data["swipes"], data["results"], data["exit_status"]) == (0, [], 1)
    assert data["roster"]["source"] == 'roster "ü".csv'
