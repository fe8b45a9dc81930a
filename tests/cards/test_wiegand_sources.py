"""The prox formats of kiosk/cards/wiegand.py against the public sources cited in
docs/card-rules.md: field positions and every parity bit's range, as those sources give them.

Positions count from 1 at the first bit sent. The sources:

- H10301: RF IDeas' proximity card formats page and HID's Tech Tip #5 (parity masks
  ``EXXXXXXXXXXXX.............`` / ``.............XXXXXXXXXXXXO``);
- H10304: OO Access's 37-bit page (even parity over the first 19 bits, odd over the last 19);
- H10306, H10302, H10304, C1k35s, C1k48s: the Proxmark3 client's wiegand_formats.c, whose
  pack/unpack routines give the field offsets (0-based) and the parity masks over the frame's
  low 32 bits ("Bot") and the bits above them ("Mid");
- C1k48s: also the Flipper Zero Wiegand tutorial's README (bit 2 even over 4-5, 7-8, …,
  46-47; bit 48 odd over 3-4, 6-7, …, 45-46; bit 1 odd over 2-48).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.cards.wiegand import FORMATS, WiegandFormat, encode


def _span(first: int, last: int) -> set[int]:
    return set(range(first, last + 1))


def _from_masks(length: int, mid: int, bot: int) -> set[int]:
    """The 1-based positions of the bits a Proxmark3 mask pair selects: ``bot`` holds the
    frame's last 32 bits (bit 0 = the last bit sent), ``mid`` the bits above them."""
    positions = {length - i for i in range(32) if bot >> i & 1}
    positions |= {length - 32 - i for i in range(32) if mid >> i & 1}
    return positions


# (format, {field: (first, last)}, [(parity position, odd, covered positions)])
PUBLISHED: list[tuple[str, dict[str, tuple[int, int]], list[tuple[int, bool, set[int]]]]] = [
    (
        "h10301",
        {"facility": (2, 9), "card": (10, 25)},
        [(1, False, _span(2, 13)), (26, True, _span(14, 25))],
    ),
    (
        # Unpack_H10306: FC = linear(1, 16), CN = linear(17, 16); even bit 0 over
        # linear(1, 16), odd bit 33 over linear(17, 16)
        "h10306",
        {"facility": (2, 17), "card": (18, 33)},
        [(1, False, _span(2, 17)), (34, True, _span(18, 33))],
    ),
    (
        # Unpack_C1k35s: CN = Bot >> 1 (20 bits), FC = Mid bit 0 and Bot >> 21 (12 bits);
        # bit 2 (Mid bit 1) even over Mid & 0x1, Bot & 0xB6DB6DB6; bit 35 (Bot bit 0) odd
        # over Mid & 0x3, Bot & 0x6DB6DB6C; bit 1 (Mid bit 2) odd over Mid & 0x3, all of Bot
        "corp1000_35",
        {"company": (3, 14), "card": (15, 34)},
        [
            (2, False, _from_masks(35, 0x1, 0xB6DB6DB6)),
            (35, True, _from_masks(35, 0x3, 0x6DB6DB6C)),
            (1, True, _from_masks(35, 0x3, 0xFFFFFFFF)),
        ],
    ),
    (
        # Unpack_H10302: CN = linear(1, 35); even bit 0 over linear(1, 18), odd bit 36 over
        # linear(18, 18)
        "h10302",
        {"card": (2, 36)},
        [(1, False, _span(2, 19)), (37, True, _span(19, 36))],
    ),
    (
        # Unpack_H10304: FC = linear(1, 16), CN = linear(17, 19); parity as H10302; OO Access:
        # even parity start 0 over 19 bits, odd parity start 18 over 19 bits
        "h10304",
        {"facility": (2, 17), "card": (18, 36)},
        [(1, False, _span(2, 19)), (37, True, _span(19, 36))],
    ),
    (
        # Unpack_C1k48s: CN = Bot >> 1 (23 bits), FC = Mid & 0x3FFF and Bot >> 24 (22 bits);
        # bit 2 (Mid bit 14) even over Mid & 0x1B6D, Bot & 0xB6DB6DB6; bit 48 (Bot bit 0) odd
        # over Mid & 0x36DB, Bot & 0x6DB6DB6C; bit 1 (Mid bit 15) odd over Mid & 0x7FFF, Bot
        "corp1000_48",
        {"company": (3, 24), "card": (25, 47)},
        [
            (2, False, _from_masks(48, 0x1B6D, 0xB6DB6DB6)),
            (48, True, _from_masks(48, 0x36DB, 0x6DB6DB6C)),
            (1, True, _from_masks(48, 0x7FFF, 0xFFFFFFFF)),
        ],
    ),
]


def test_the_flipper_readme_and_the_proxmark_masks_agree_on_corporate_1000_48() -> None:
    # the README's words, as positions: the two of three, and the whole frame after bit 1
    two_of_three_from_4 = {p for p in range(4, 48) if p % 3 != 0}  # 4-5, 7-8, …, 46-47
    two_of_three_from_3 = {p for p in range(3, 47) if p % 3 != 2}  # 3-4, 6-7, …, 45-46
    assert _from_masks(48, 0x1B6D, 0xB6DB6DB6) == two_of_three_from_4
    assert _from_masks(48, 0x36DB, 0x6DB6DB6C) == two_of_three_from_3
    assert _from_masks(48, 0x7FFF, 0xFFFFFFFF) == _span(2, 48)


@pytest.mark.parametrize(
    ("name", "fields", "parities"), PUBLISHED, ids=[name for name, *_ in PUBLISHED]
)
def test_each_format_has_the_published_layout(
    name: str,
    fields: dict[str, tuple[int, int]],
    parities: list[tuple[int, bool, set[int]]],
) -> None:
    fmt = FORMATS[name]
    assert {part.name: (part.first, part.last) for part in fmt.fields} == fields
    ours = {parity.position: (parity.odd, set(parity.covers)) for parity in fmt.parities}
    assert ours == {position: (odd, covers) for position, odd, covers in parities}


def _published_parity_holds(name: str, raw: int) -> bool:
    _, _, parities = next(entry for entry in PUBLISHED if entry[0] == name)
    length = FORMATS[name].length
    for position, odd, covers in parities:
        ones = sum(raw >> (length - p) & 1 for p in covers | {position})
        if ones % 2 != odd:
            return False
    return True


@st.composite
def _cards(draw: st.DrawFn) -> tuple[WiegandFormat, int]:
    fmt = draw(st.sampled_from(list(FORMATS.values())))
    fields = {part.name: draw(st.integers(0, 2**part.width - 1)) for part in fmt.fields}
    return fmt, encode(fmt, **fields)


@given(card=_cards(), flip=st.integers(0, 48))
def test_our_encoder_and_checker_agree_with_the_published_parity(
    card: tuple[WiegandFormat, int], flip: int
) -> None:
    fmt, raw = card
    assert _published_parity_holds(fmt.name, raw)
    if 1 <= flip <= fmt.length:  # one bit read wrong: both sides call it a misread
        broken = raw ^ fmt.bit(flip)
        assert not _published_parity_holds(fmt.name, broken)
        assert not fmt.parity_holds(broken)
