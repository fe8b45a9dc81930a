"""Remove control characters (reader framing, CR/LF between tracks) from a swipe.

Rules, the payment guard and verify all see the cleaned text, so a rule never has to mention
STX, ESC or the Enter an ID TECH reader types after each track.
"""

from __future__ import annotations

import re

# C0 control characters and DEL: STX/ETX/ESC/DLE framing, CR/LF/TAB between tracks.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def clean_swipe(text: str) -> str:
    """``text`` with every control character removed (printable characters kept as they are)."""
    if text.isprintable():  # the common case: nothing to remove, no copy made
        return text
    return _CONTROL.sub("", text)
