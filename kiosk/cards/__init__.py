"""Cards: from a reader's raw output to a card_id (guard, tracks, rules, suggestion).

Knows nothing of the database. Raw swipe text stays in memory: nothing here logs it.
"""

from kiosk.cards.clean import clean_swipe
from kiosk.cards.parse import SwipeExplanation, SwipeResult, SwipeStatus, explain_swipe, parse_swipe
from kiosk.cards.rules import Rule, RuleSet, RulesFileError, dump_rules, load_rules, rules_from_toml

__all__ = [
    "Rule",
    "RuleSet",
    "RulesFileError",
    "SwipeExplanation",
    "SwipeResult",
    "SwipeStatus",
    "clean_swipe",
    "dump_rules",
    "explain_swipe",
    "load_rules",
    "parse_swipe",
    "rules_from_toml",
]
