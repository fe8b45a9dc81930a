"""The terminal detector: pure timing tables, then a real Textual app driven by Pilot."""

from __future__ import annotations

import asyncio

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from drivers.base import Swipe
from drivers.terminal import (
    HeldKey,
    KeyTimingDetector,
    TerminalReader,
    key_symbol,
    swipe_shaped,
)

READER_KEY_GAP = 0.004  # readers: a key every few ms
PERSON_KEY_GAP = 0.12  # people: 50 ms or more


def _keys(text: str) -> list[tuple[str | None, str]]:
    """(character, Textual key name) for each character; '\\n' is Enter."""
    out: list[tuple[str | None, str]] = []
    for char in text:
        if char == "\n":
            out.append(("\r", "enter"))
        elif char == "\t":
            out.append(("\t", "tab"))
        else:
            out.append((char, char if char.isalnum() else f"sym_{ord(char)}"))
    return out


def _feed_all(
    detector: KeyTimingDetector, text: str, start: float, step: float
) -> tuple[list[bool], list[HeldKey], list[str]]:
    held: list[bool] = []
    given: list[HeldKey] = []
    swipes: list[str] = []
    for index, (character, key) in enumerate(_keys(text)):
        decision = detector.feed(character, key, start + index * step)
        held.append(decision.held)
        given.extend(decision.give_back)
        if decision.swipe is not None:
            swipes.append(decision.swipe)
    return held, given, swipes


def test_key_symbols() -> None:
    assert key_symbol(";", "semicolon") == ";"
    assert key_symbol("\r", "enter") == "\n"
    assert key_symbol("\t", "tab") == "\t"
    assert key_symbol(None, "up") is None
    assert key_symbol("\x01", "ctrl+a") is None


def test_fast_burst_is_one_swipe_and_no_key_escapes() -> None:
    detector = KeyTimingDetector()
    held, given, swipes = _feed_all(detector, ";90123456701?\n", 10.0, READER_KEY_GAP)
    assert all(held)
    assert given == [] and swipes == []
    final = detector.poll(10.0 + 14 * READER_KEY_GAP + 0.1)
    assert final.swipe == ";90123456701?"
    assert not detector.busy


def test_enter_per_track_with_a_pause_between_tracks_is_still_one_swipe() -> None:
    detector = KeyTimingDetector()
    _feed_all(detector, "%B6009^TESTER/A^29?\n", 0.0, READER_KEY_GAP)
    # ID TECH: a 40 ms pause, then track 2 and its own Enter.
    held, _, swipes = _feed_all(detector, ";6009=29?\n", 0.12, READER_KEY_GAP)
    assert all(held) and swipes == []
    assert detector.expire().swipe == "%B6009^TESTER/A^29?\n;6009=29?"


def test_slow_typing_is_given_back_key_by_key_in_order() -> None:
    detector = KeyTimingDetector()
    held, given, swipes = _feed_all(detector, "ann@uni.edu", 0.0, PERSON_KEY_GAP)
    given.extend(detector.expire().give_back)
    assert all(held)  # each key is held only until the next one shows it was typed
    assert "".join(k.character or "" for k in given) == "ann@uni.edu"
    assert swipes == []


def test_enter_and_arrows_pass_straight_through_when_idle() -> None:
    detector = KeyTimingDetector()
    assert detector.feed("\r", "enter", 0.0).held is False
    assert detector.feed(None, "down", 0.2).held is False
    assert not detector.busy


def test_tab_passes_through_when_idle_and_is_text_inside_a_burst() -> None:
    # Tab moves the focus in a form: fast Tabs then typing are not one swipe (issue 13.8)
    detector = KeyTimingDetector()
    for index in range(3):
        assert detector.feed("\t", "tab", index * READER_KEY_GAP).held is False
    assert not detector.busy
    _feed_all(detector, "123\t4567\n", 1.0, READER_KEY_GAP)  # a reader's Tab between fields
    assert detector.expire().swipe == "123\t4567"


def test_a_short_fast_pair_without_sentinel_is_typing() -> None:
    detector = KeyTimingDetector()
    _, given, swipes = _feed_all(detector, "th", 0.0, 0.02)  # a rolled pair by a fast typist
    given.extend(detector.expire().give_back)
    assert [k.character for k in given] == ["t", "h"] and swipes == []


def test_start_sentinel_decides_sooner_than_plain_digits() -> None:
    detector = KeyTimingDetector(min_keys=4, sentinel_min_keys=2)
    detector.feed(";", "semicolon", 0.0)
    detector.feed("1", "1", 0.004)
    assert detector.expire().swipe == ";1"
    detector.feed("1", "1", 1.0)
    detector.feed("2", "2", 1.004)
    assert [k.character for k in detector.expire().give_back] == ["1", "2"]


def test_prox_digits_without_sentinel_become_a_swipe() -> None:
    detector = KeyTimingDetector()
    held, _, _ = _feed_all(detector, "0004718298\n", 0.0, READER_KEY_GAP)
    assert all(held)
    assert detector.expire().swipe == "0004718298"


def test_non_text_key_ends_the_decision_and_is_given_back_in_order() -> None:
    detector = KeyTimingDetector()
    detector.feed("a", "a", 0.0)
    decision = detector.feed(None, "backspace", 0.01)
    assert decision.held is True
    assert [k.key for k in decision.give_back] == ["a", "backspace"]


def test_next_swipe_after_a_gap_is_separate() -> None:
    detector = KeyTimingDetector()
    _feed_all(detector, ";111?\n", 0.0, READER_KEY_GAP)
    _, _, swipes = _feed_all(detector, ";222?\n", 1.0, READER_KEY_GAP)
    assert swipes == [";111?"]
    assert detector.expire().swipe == ";222?"


class KeyForwardingApp(App[None]):
    """A tiny app wired to a TerminalReader as the terminal.py docstring says, except that each
    key's time comes from a script so the test controls the timing (the reader then runs with
    ``auto_expire=False`` and the test settles the end of the script with ``expire_if_due``)."""

    def __init__(self, reader: TerminalReader, times: list[float]) -> None:
        super().__init__()
        self.reader = reader
        self.times = times
        self.submitted: list[str] = []
        reader.on_release = self.give_back

    def compose(self) -> ComposeResult:
        yield Input(id="lookup")

    def give_back(self, keys: list[HeldKey]) -> None:
        target = self.focused or self.screen
        for held in keys:
            target.post_message(events.Key(held.key, held.character))

    async def on_event(self, event: events.Event) -> None:
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and self.reader.feed(event.character, event.key, self.times.pop(0))
        ):
            return
        await super().on_event(event)

    def on_input_submitted(self, message: Input.Submitted) -> None:
        self.submitted.append(message.value)


def _pilot_keys(text: str) -> list[str]:
    names = {";": "semicolon", "?": "question_mark", "%": "percent_sign", "\n": "enter"}
    names |= {"@": "at", ".": "full_stop", "=": "equals_sign", "^": "circumflex_accent"}
    return [names.get(char, char) for char in text]


async def _first_swipe(reader: TerminalReader, timeout: float = 2.0) -> Swipe:
    async def first() -> Swipe:
        async for swipe in reader.swipes():
            return swipe
        raise AssertionError("the reader stopped")

    return await asyncio.wait_for(first(), timeout)


async def test_pilot_fast_burst_becomes_a_swipe_and_never_reaches_the_input() -> None:
    text = ";90123456701?\n"
    reader = TerminalReader(auto_expire=False)
    app = KeyForwardingApp(reader, [100.0 + i * READER_KEY_GAP for i in range(len(text))])
    async with app.run_test() as pilot:
        await pilot.press(*_pilot_keys(text))
        reader.expire_if_due(101.0)
        swipe = await _first_swipe(reader)
        await pilot.pause()
        assert swipe.text == ";90123456701?"
        assert swipe.reader == "terminal"
        assert app.query_one(Input).value == ""
        assert app.submitted == []
    await reader.close()


async def test_pilot_slow_typing_lands_in_the_input_including_enter() -> None:
    text = "ann@uni.edu\n"
    reader = TerminalReader(auto_expire=False)
    app = KeyForwardingApp(reader, [50.0 + i * PERSON_KEY_GAP for i in range(len(text))])
    async with app.run_test() as pilot:
        await pilot.press(*_pilot_keys(text))
        reader.expire_if_due(60.0)
        for _ in range(50):
            if app.submitted:
                break
            await pilot.pause(0.02)
        assert app.submitted == ["ann@uni.edu"]
        assert not reader.detector.busy
    await reader.close()


async def test_pilot_typing_then_a_swipe_keeps_both_apart() -> None:
    typed, swiped = "bo", "%B12^X?\n"
    times = [0.0, PERSON_KEY_GAP] + [5.0 + i * READER_KEY_GAP for i in range(len(swiped))]
    reader = TerminalReader(auto_expire=False)
    app = KeyForwardingApp(reader, times)
    async with app.run_test() as pilot:
        await pilot.press(*_pilot_keys(typed + swiped))
        reader.expire_if_due(6.0)
        swipe = await _first_swipe(reader)
        await pilot.pause()
        assert swipe.text == "%B12^X?"
        assert app.query_one(Input).value == "bo"
    await reader.close()


async def test_reader_timers_finish_swipes_and_give_back_typing_in_real_time() -> None:
    """Without a script: the reader's own asyncio timers settle the decision."""
    reader = TerminalReader()
    released: list[HeldKey] = []
    reader.on_release = released.extend
    for index, (character, key) in enumerate(_keys(";90123456701?\n")):
        assert reader.feed(character, key, 7.0 + index * READER_KEY_GAP)
    swipe = await _first_swipe(reader)
    assert swipe.text == ";90123456701?"
    assert reader.feed("x", "x", 20.0) is True
    for _ in range(100):
        if released:
            break
        await asyncio.sleep(0.01)
    assert [k.character for k in released] == ["x"]
    await reader.close()


@pytest.mark.parametrize(("key_gap", "idle_gap"), [(0.0, 0.1), (0.2, 0.1)])
def test_detector_rejects_impossible_timing(key_gap: float, idle_gap: float) -> None:
    with pytest.raises(ValueError):
        KeyTimingDetector(key_gap=key_gap, idle_gap=idle_gap)


# --- editing keys and text fields (issue 13.8) ------------------------------------------------


def test_an_editing_key_in_a_fast_burst_gives_every_key_back_and_is_no_swipe() -> None:
    # "abcdef" typed fast (or auto-repeat) is a swipe by timing; the Backspace after it says a
    # person was typing: all keys go back, in order, and the Backspace passes through.
    for editing_key in ("backspace", "delete", "left", "home", "end", "ctrl+u"):
        detector = KeyTimingDetector()
        held, given, _ = _feed_all(detector, "abcdef", 0.0, READER_KEY_GAP)
        assert all(held) and given == []
        decision = detector.feed(None, editing_key, 6 * READER_KEY_GAP)
        assert decision.held is False
        assert decision.swipe is None
        assert "".join(k.character or "" for k in decision.give_back) == "abcdef"
        assert not detector.busy
        assert detector.expire().swipe is None


def test_a_burst_of_editing_keys_alone_always_passes_through() -> None:
    detector = KeyTimingDetector()
    for index in range(20):
        decision = detector.feed("\x7f", "backspace", index * READER_KEY_GAP, into_field=True)
        assert decision == type(decision)()  # passed on, nothing held, no swipe
    assert not detector.busy


@pytest.mark.parametrize(
    ("text", "is_swipe"),
    [
        (";90123456701?\n", True),  # a magstripe reader, Enter at the end
        ("%B12^TESTER/ALEX^2812?\n;90123456701?\n", True),  # ID TECH: Enter per track
        ("0004718298\n", True),  # a prox reader's digits
        (";90123456701?", False),  # no Enter: fast typing (or a paste) into the field
        ("Pat Smith\n", False),  # a name typed fast, then Enter: the field gets it all
        ("alex.tester@example.edu\n", False),
        ("12345\n", False),  # too short for a card
        ("stu10001\n", False),
    ],
)
def test_into_a_text_field_only_a_card_shaped_burst_ending_with_enter_is_a_swipe(
    text: str, is_swipe: bool
) -> None:
    detector = KeyTimingDetector()
    given: list[HeldKey] = []
    for index, (character, key) in enumerate(_keys(text)):
        decision = detector.feed(character, key, index * READER_KEY_GAP, into_field=True)
        assert decision.held  # held while it lasts: card data never reaches the field
        given.extend(decision.give_back)
    end = detector.expire()
    given.extend(end.give_back)
    if is_swipe:
        assert end.swipe == text.rstrip("\n") and given == []
    else:
        assert end.swipe is None
        assert [k.key for k in given] == [key for _, key in _keys(text)]  # Enter included


def test_outside_a_text_field_a_fast_burst_without_enter_is_still_a_swipe() -> None:
    detector = KeyTimingDetector()
    _feed_all(detector, ";90123456701?", 0.0, READER_KEY_GAP)
    assert detector.expire().swipe == ";90123456701?"


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        (";123?", True),
        ("%B1^X?\n;1?\n", True),
        ("+12345?", True),
        ("123456", True),
        ("12345", False),
        ("Pat Smith", False),
        (";123", False),
        ("abc?", False),
    ],
)
def test_swipe_shapes(text: str, shaped: bool) -> None:
    assert swipe_shaped(text) is shaped


def test_release_gives_back_everything_held_at_once() -> None:
    reader = TerminalReader(auto_expire=False)
    released: list[HeldKey] = []
    reader.on_release = released.extend
    for index, (character, key) in enumerate(_keys("pat")):
        assert reader.feed(character, key, index * READER_KEY_GAP, into_field=True)
    reader.release_held()
    assert [k.character for k in released] == ["p", "a", "t"]
    assert not reader.detector.busy
