"""Writing TOML values by hand (tomllib only reads): strings, string lists, integers."""

from __future__ import annotations

from collections.abc import Sequence


def toml_string(value: str) -> str:
    """A TOML string for ``value``: a literal '…' string when possible (regexes read as
    written), else a basic "…" string with escapes."""
    if "'" not in value and all(" " <= char <= "~" or char > "\x9f" for char in value):
        return f"'{value}'"
    out = ['"']
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char < " " or "\x7f" <= char <= "\x9f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def toml_string_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(toml_string(value) for value in values) + "]"


def toml_int_or_list(values: Sequence[int]) -> str:
    if len(values) == 1:
        return str(values[0])
    return "[" + ", ".join(str(value) for value in values) + "]"
