"""parse(encode(id)) == id for every card layout the kiosk reads, and no payment card ever
accepted in any of them (issue 15.7).

Each layout below is a rule (limited to a reader named after the layout, so only it applies)
and an encoder that writes a card_id the way that layout's cards and readers do: ISO tracks 1,
2 and 3 (numeric and AAMVA alphanumeric), with or without sentinels, each track with or without
its LRC, ID TECH's Enter after every track, serial framing, a reader's prefix or suffix, the
swipe corpus's campus layouts, the prox formats (helper module :mod:`kiosk.cards.wiegand`'s
encoders, every format), MIFARE UIDs, barcodes and typed numbers. The payment property puts a
Luhn-valid number of every brand :mod:`kiosk.cards.brands` knows where a bank card carries it,
in the same layouts and wrappers, and expects ``refused`` whatever rules there are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.cards.luhn import luhn_check_digit
from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import rules_from_toml
from kiosk.cards.wiegand import FORMATS, encode_bits, encode_hex
from tests.cards.test_tracks_iso_aamva import _reference_lrc

Track = tuple[str, str]  # (start sentinel, data)
CAMPUS = "600999"
IINS = ("636015", "636014", "636001", "636010")


def _luhn(partial: str) -> str:
    return partial + luhn_check_digit(partial)


@dataclass(frozen=True)
class Wrapping:
    """How a reader sends a stripe's tracks."""

    lrc: bool = False
    between: str = ""  # what comes between tracks (ID TECH: CR or CR LF)
    before: str = ""  # framing or a reader's prefix
    after: str = ""  # framing, Enter, or a reader's suffix


def _numeric(sentinel: str, data: str) -> bool:
    return sentinel == ";" or (sentinel == "+" and not data.strip("0123456789:<=>"))


def stripe(tracks: list[Track], wrapping: Wrapping) -> str:
    pieces = []
    for sentinel, data in tracks:
        piece = f"{sentinel}{data}?"
        if wrapping.lrc:
            numeric = _numeric(sentinel, data)
            piece += _reference_lrc(";" if numeric else "%", data, 4 if numeric else 6)
        pieces.append(piece)
    return wrapping.before + wrapping.between.join(pieces) + wrapping.after


_framing = st.sampled_from(
    [("", ""), ("", "\n"), ("", "\r\n"), ("\x02\x1b", "\r\x03"), ("\x02", "\x03"), ("", "\r")]
)
_between = st.sampled_from(["", "\r", "\r\n", "\n"])


@st.composite
def wrappings(draw: st.DrawFn, prefix: bool = False, suffix: bool = False) -> Wrapping:
    before, after = draw(_framing)
    if prefix and draw(st.booleans()):
        before += draw(st.sampled_from(["Card: ", "R01 ", "READER-7 "]))
    if suffix:
        after = draw(st.sampled_from([" T0815", "/K2", " 001"])) + after
    return Wrapping(draw(st.booleans()), draw(_between), before, after)


Encoder = Callable[[str, st.DataObject], str]


@dataclass(frozen=True)
class Layout:
    name: str
    rule: str  # the [[rules]] keys after name and reader
    ids: st.SearchStrategy[str]
    encode: Encoder


def _digits(width: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=width, max_size=width)


def _no_leading_zero(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(10 ** (low - 1), 10**high - 1).map(str)


_name = st.from_regex(r"[A-Z]{2,10}/[A-Z]{1,8}( [A-Z])?", fullmatch=True)


def _campus_tracks(card_id: str, data: st.DataObject) -> list[Track]:
    pan = _luhn(CAMPUS + card_id)
    return [("%", f"B{pan}^{data.draw(_name)}^2908120000000000"), (";", f"{pan}=29081200000000000")]


_given_name = st.from_regex(r"[A-Z]{1,12}", fullmatch=True)


def _licence_tracks(licence: str, data: st.DataObject) -> list[Track]:
    iin = data.draw(st.sampled_from(IINS))
    sentinel3 = data.draw(st.sampled_from(["+", "%", "#"]))
    postal = data.draw(_digits(5))
    sex = data.draw(st.sampled_from("MF12"))
    return [
        ("%", f"TXAUSTIN^DOE${data.draw(_given_name)}$^1 MAIN ST^"),
        (";", f"{iin}{licence}=2501{data.draw(_digits(8))}"),
        (sentinel3, f"!!{postal:<11}C {' ' * 14}{sex}601150BRNBRN"),
    ]


LAYOUTS = [
    Layout(
        "campus-t1t2",
        "pattern = ';600999(\\d{9})\\d='",
        _digits(9),
        lambda i, d: stripe(_campus_tracks(i, d), d.draw(wrappings(prefix=True))),
    ),
    Layout(
        "campus-t1-failed",
        "pattern = ';600999(\\d{9})\\d='",
        _digits(9),
        lambda i, d: stripe([("%", "E"), _campus_tracks(i, d)[1]], d.draw(wrappings())),
    ),
    Layout(
        "campus-t1t2t3",
        "pattern = ';600999(\\d{9})\\d='",
        _digits(9),
        lambda i, d: stripe(
            # (track 3 starting with 0: a random 19 digits after ';' may be a card number)
            [*_campus_tracks(i, d), (d.draw(st.sampled_from("+;")), "0" + d.draw(_digits(18)))],
            d.draw(wrappings()),
        ),
    ),
    Layout(
        "campus-reader-suffix",
        "pattern = ';600999(\\d{9})\\d='\ntrailing_text = true",
        _digits(9),
        lambda i, d: stripe(_campus_tracks(i, d), d.draw(wrappings(suffix=True))),
    ),
    Layout(
        "campus-no-sentinels",  # tracks 1 and 2 sent without sentinels, a CR between
        "pattern = '\\^2908\\d*600999(\\d{9})\\d='",
        _digits(9),
        lambda i, d: "B{0}^{1}^29081200000\r{0}=2908120000\r".format(
            _luhn(CAMPUS + i), d.draw(_name)
        ),
    ),
    Layout(
        "id-plus-issue",
        "pattern = ';(\\d{9})\\d{2}\\?'",
        _digits(9),
        lambda i, d: stripe([(";", i + d.draw(_digits(2)))], d.draw(wrappings(prefix=True))),
    ),
    Layout(
        "etms90",
        "pattern = ';9(\\d{8})(\\d{2})'",
        _digits(8),
        lambda i, d: stripe([(";", f"9{i}{d.draw(_digits(2))}0000")], d.draw(wrappings())),
    ),
    Layout(
        "field-separated",
        "track = 2\npattern = '^4821=(\\d+)='\ntransforms = ['strip_leading_zeros']",
        _no_leading_zero(1, 10),
        lambda i, d: stripe([(";", f"4821={i.zfill(10)}=1=290630")], d.draw(wrappings())),
    ),
    Layout(
        "onecard-track1",
        "track = 1\npattern = '(\\d{7})\\s{3}'",
        _digits(7),
        lambda i, d: stripe(
            [("%", f"B6009999007654321^{d.draw(_name)}^290812000000{i}   00000")],
            d.draw(wrappings()),
        ),
    ),
    Layout(
        "timeclock",
        "track = [2, 1]\npattern = '^(\\d{8})$'",
        _digits(8),
        lambda i, d: stripe([("%", i), (";", i)], d.draw(wrappings())),
    ),
    Layout(
        "track3",
        "track = 3\npattern = '^(\\d{10})$'",
        _digits(10),
        lambda i, d: stripe(
            [("%", "E"), (";", "E"), (d.draw(st.sampled_from("+;")), i)]
            if d.draw(st.booleans())
            else [("+", i)],
            d.draw(wrappings()),
        ),
    ),
    Layout(
        "licence",
        "track = 2\npattern = '^636\\d{3}(\\d{1,13})='",
        _no_leading_zero(6, 13),
        lambda i, d: stripe(_licence_tracks(i, d), d.draw(wrappings())),
    ),
    Layout(
        "no-sentinels",
        "pattern = '^(\\d{9})\\d{2}$'",
        _digits(9),
        lambda i, d: i + d.draw(_digits(2)) + d.draw(st.sampled_from(["", "\n", "\r"])),
    ),
    Layout(
        "typed-number",
        "pattern = '^([0-9][0-9 -]{13,22}[0-9])$'\ntransforms = ['strip: -']",
        _digits(15).filter(lambda i: i[0] not in "3456"),  # no brand's range: a typed id
        lambda i, d: d.draw(st.sampled_from([" ", "-"])).join((i[:4], i[4:10], i[10:])),
    ),
    Layout(
        "pcprox-combined",
        "pattern = '^(\\d{1,10})$'\ntransforms = ['low_bits:16']",
        st.integers(0, 65535).map(str),
        # (facility 0 with card 0 or 1 would type a lone "0"/"1": a card-present notice)
        lambda i, d: str((d.draw(st.integers(1, 255)) << 16) | int(i)),
    ),
    Layout(
        "pcprox-fac-id",
        "pattern = '^\\d+:(\\d+)$'\ntransforms = ['strip_leading_zeros']",
        st.integers(0, 65535).map(str),
        lambda i, d: f"{d.draw(st.integers(0, 255)):03d}:{int(i):05d}",
    ),
    Layout(
        "em4100",
        "pattern = '^(\\d{10})$'",
        _digits(10),
        lambda i, d: i,
    ),
    Layout(
        "mifare-lsb",
        "pattern = '^([0-9A-F]{8}|[0-9A-F]{14})$'\ntransforms = ['reverse_bytes']",
        st.sampled_from([8, 14]).flatmap(
            lambda n: st.text(alphabet="0123456789ABCDEF", min_size=n, max_size=n)
        ),
        lambda i, d: "".join(i[k : k + 2] for k in range(len(i) - 2, -1, -2)),
    ),
    Layout(
        "code39",
        "pattern = '^\\*?(\\d{9})\\*?$'",
        _digits(9),
        lambda i, d: d.draw(st.sampled_from(["{}", "*{}*"])).format(i),
    ),
    Layout(
        "qr",
        "pattern = '^https://id\\.example\\.edu/v/(\\d{9})(?:\\?|$)'",
        _digits(9),
        lambda i, d: f"https://id.example.edu/v/{i}" + d.draw(st.sampled_from(["", "?t=Qx7L"])),
    ),
]


def _prox_layout(fmt_name: str, digits: bool) -> Layout:
    fmt = FORMATS[fmt_name]
    card = next(part for part in fmt.fields if part.name == "card")
    others = [part for part in fmt.fields if part.name != "card"]

    def encode(card_id: str, data: st.DataObject) -> str:
        values = {part.name: data.draw(st.integers(0, (1 << part.width) - 1)) for part in others}
        if digits:
            return encode_bits(fmt, card=int(card_id), **values)
        width = data.draw(st.sampled_from([None, 16]))
        return encode_hex(fmt, width, card=int(card_id), **values)

    return Layout(
        f"prox-{fmt_name}-{'bits' if digits else 'hex'}",
        f"pattern = '^([0-9A-Fa-f]+)$'\ntransforms = ['{fmt_name}_card']",
        st.integers(0, (1 << card.width) - 1).map(str),
        encode,
    )


LAYOUTS += [_prox_layout(name, digits) for name in FORMATS for digits in (False, True)]
BY_NAME = {layout.name: layout for layout in LAYOUTS}


def _rules_toml(extra: str = "") -> str:
    prefixes = ", ".join(f'"{prefix}"' for prefix in (CAMPUS, *IINS))
    tables = [f"[guard]\ncampus_prefixes = [{prefixes}]\n"]
    for layout in LAYOUTS:
        head = f"[[rules]]\nname = '{layout.name}'\nreader = '{layout.name}'\n"
        tables.append(f"{head}{layout.rule}\n")
    return "\n".join(tables) + extra


RULES = rules_from_toml(_rules_toml())


def test_every_layout_has_its_rule() -> None:
    assert [rule.name for rule in RULES.rules] == list(BY_NAME)
    assert len(FORMATS) >= 6 and sum(name.startswith("prox-") for name in BY_NAME) == 12


@settings(max_examples=600, deadline=None)
@given(name=st.sampled_from(list(BY_NAME)), data=st.data())
def test_parse_of_encode_is_the_card_id(name: str, data: st.DataObject) -> None:
    layout = BY_NAME[name]
    card_id = data.draw(layout.ids)
    swipe = layout.encode(card_id, data)
    result = parse_swipe(swipe, RULES, reader=name)
    assert (result.status, result.card_id, result.rule) == ("ok", card_id, name), swipe


# ---------------------------------------------------------------- payment cards

# (brand, first digits, lengths), from kiosk.cards.brands' ranges.
BRANDS = [
    ("Visa", ["4"], [13, 16, 19]),
    ("Mastercard", ["51", "52", "53", "54", "55", "2221", "2500", "2720"], [16]),
    ("American Express", ["34", "37"], [15]),
    ("Discover", ["6011", "644", "649", "65"], [16, 17, 18, 19]),
]


@st.composite
def payment_numbers(draw: st.DrawFn) -> str:
    _, starts, lengths = draw(st.sampled_from(BRANDS))
    start = draw(st.sampled_from(starts))
    length = draw(st.sampled_from(lengths))
    return _luhn(start + draw(_digits(length - len(start) - 1)))


def _bank_tracks(pan: str, data: st.DataObject) -> list[Track]:
    expiry = data.draw(_digits(4))
    return [
        ("%", f"B{pan}^{data.draw(_name)}^{expiry}101{data.draw(_digits(8))}"),
        (";", f"{pan}={expiry}101{data.draw(_digits(6))}"),
    ]


def _bank_swipe(pan: str, data: st.DataObject) -> str:
    kinds = ["t1t2", "t1", "t2", "t1t2t3", "licence", "bare"]
    if len(pan) != 13:  # a 13-digit Visa number alone is no card to the guard (see docs)
        kinds += ["grouped", "alone"]
    kind = data.draw(st.sampled_from(kinds))
    wrapping = data.draw(wrappings(prefix=True, suffix=data.draw(st.booleans())))
    track1, track2 = _bank_tracks(pan, data)
    if kind == "t1":
        return stripe([track1], wrapping)
    if kind == "t2":
        return stripe([track2], wrapping)
    if kind == "t1t2t3":
        return stripe([track1, track2, ("+", data.draw(_digits(19)))], wrapping)
    if kind == "licence":  # a bank card's number where a licence's track 2 has the IIN
        return stripe([_licence_tracks("1234567", data)[0], track2], wrapping)
    if kind == "bare":  # no sentinels, CR between tracks
        return f"{track1[1]}\r{track2[1]}\r"
    if kind == "grouped":  # the number typed as printed
        return " ".join(pan[k : k + 4] for k in range(0, len(pan), 4)) + "\n"
    if kind == "alone":
        return pan + data.draw(st.sampled_from(["", "\n", "\r\n"]))
    return stripe([track1, track2], wrapping)


CATCH_ALL = rules_from_toml(
    _rules_toml(
        "\n[[rules]]\nname = 'any-number'\npattern = '([0-9][0-9 -]{11,30}[0-9])'\n"
        "transforms = ['strip: -']\ntrailing_text = true\n"
    )
)


@settings(max_examples=800, deadline=None)
@given(pan=payment_numbers(), reader=st.sampled_from([None, *BY_NAME]), data=st.data())
def test_no_payment_card_is_ever_accepted(
    pan: str, reader: str | None, data: st.DataObject
) -> None:
    swipe = _bank_swipe(pan, data)
    for rules in (RULES, CATCH_ALL):
        result = parse_swipe(swipe, rules, reader)
        assert (result.status, result.reason, result.card_id) == ("refused", "payment", None)
        assert pan not in result.message
