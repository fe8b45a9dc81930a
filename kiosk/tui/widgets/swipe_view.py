"""Rendering a SwipeExplanation for staff: the text with the card_id highlighted, the tracks,
each rule tried and its outcome, and the final result."""

from __future__ import annotations

from rich.text import Text

from kiosk.cards.parse import SwipeExplanation

_TRIAL_STYLE = {
    "matched": "bold green",
    "no_match": "yellow",
    "transform_failed": "bold red",
    "parity_failed": "bold red",
}
#: What a misread's reason is called on the Result line.
_MISREAD_NAMES = {"bad_parity": "parity failed", "bad_lrc": "LRC wrong", "trailing": "stray text"}


def visible(text: str) -> str:
    """Control characters shown as ␊-style symbols so staff can see framing bytes."""
    return "".join(chr(0x2400 + ord(ch)) if ord(ch) < 0x20 else ch for ch in text)


def explanation_text(explanation: SwipeExplanation, student: str | None) -> Text:
    text = Text()
    text.append("Swipe text: ", style="bold")
    shown = Text(visible(explanation.display_text))
    if explanation.card_id_span is not None:
        start, end = explanation.card_id_span
        shown.stylize("bold black on bright_green", start, end)
    text.append_text(shown)
    text.append("\n")
    if explanation.tracks:
        text.append("Tracks:\n", style="bold")
        for number, data in sorted(explanation.tracks.items()):
            text.append(f"  track {number}: {visible(data)}\n")
    text.append("Rules tried:\n", style="bold")
    if not explanation.trials:
        text.append("  (no rules: matching by card_id containment)\n")
    for trial in explanation.trials:
        text.append(f"  {trial.rule}: ")
        text.append(trial.outcome.replace("_", " "), style=_TRIAL_STYLE.get(trial.outcome, "dim"))
        if trial.card_id:
            text.append(f" → {trial.card_id}")
        if trial.detail:
            text.append(f": {trial.detail}")
        text.append("\n")
    result = explanation.result
    text.append("Result: ", style="bold")
    text.append(f"{result.status}", style="bold green" if result.status == "ok" else "bold red")
    if result.status == "misread" and result.reason in _MISREAD_NAMES:
        text.append(f" ({_MISREAD_NAMES[result.reason]})", style="bold red")
    if result.card_id:
        text.append(f"  card_id {result.card_id} (rule {result.rule})")
    text.append(f"\n  {result.message}\n")
    if explanation.why:
        text.append(f"  Why: {explanation.why}\n")
    text.append("Student: ", style="bold")
    text.append(student or "no roster student matches", style="bold" if student else "yellow")
    text.append("\n")
    return text
