"""Find a student by name, username or email, for staff (``kiosk students search``, staff mode).

Forgiving the way staff type: accents, case, word order and small typos do not matter
("zoe nunez", "nunez zoe" and "zoe nunes" all find "Zoë Ñúñez"), the preferred name counts as
much as the first name, and a name begun is a name found ("mar gar" finds Maria Garcia).

The roster is folded once into an in-memory :class:`StudentIndex` (a 100,000-student roster
in about a second; ``benchmarks/student_search.py``), and each search is one C-speed
rapidfuzz pass over it plus a few dict and bisect lookups: no SQL per keystroke, and nothing
that depends on the database's collation. :class:`StudentDirectory` keeps the index in step
with the roster (a new one when an import changed ``roster_version``).

Archived students are found too, marked ``archived`` and listed after everyone else with the
same score: staff looking for them need to see why they are not checked in, and checking
them in follows ``archived_policy`` as a swipe would.

Results carry full names: staff only. The student screen never shows a search.
"""

from __future__ import annotations

import heapq
import re
import threading
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kiosk.checkin.queries import full_name
from kiosk.db.models import CheckIn, Student
from kiosk.roster.version import roster_version
from kiosk.text_safety import sanitise, sanitise_optional

#: Scores are 0-100: a login (username or email) typed exactly is 100; otherwise every word
#: typed must find a word of the student's names, and the student's score is the mean of the
#: words' scores: 100 for a whole word, PREFIX_SCORE for a beginning ("mar" of "maria"), and
#: for a word with a typo ("nunes" for "nunez") rapidfuzz's ratio, from WORD_CUTOFF up, at most
#: TYPO_SCORE (ONE_EDIT_SCORE for a short word one edit off, "kahn" for "khan"). A login with
#: a typo ("stu1002") scores its ratio from LOGIN_CUTOFF up.
PREFIX_SCORE = 90.0
TYPO_SCORE = 85.0
WORD_CUTOFF = 80.0
#: A word one edit (optimal string alignment: a swap of two letters is one) from a name word,
#: when the ratio is below WORD_CUTOFF (short words: "kahn" for "khan" has ratio 75).
ONE_EDIT_SCORE = 80.0
ONE_EDIT_BELOW = 5
LOGIN_CUTOFF = 88.0
#: Words shorter than this get no typo allowance (one letter off in "zoe" is another name).
MIN_TYPO_WORD = 4
DEFAULT_LIMIT = 20

# Letters NFKD does not take apart into a base letter and an accent.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
    }
)
_APOSTROPHES = re.compile(r"['’ʼ`´]")
_SEPARATORS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Text as the search compares it: case folded, accents off, apostrophes dropped
    ("O'Connor" is "oconnor"), every other run of punctuation one space.
    ``fold("Zoë Ñúñez") == "zoe nunez"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    bare = _APOSTROPHES.sub("", bare.translate(_LETTERS))
    return " ".join(_SEPARATORS.sub(" ", bare).split())


@dataclass(frozen=True, slots=True)
class StudentCard:
    """A roster student as staff see them in search results."""

    id: int
    full_name: str  # "Mari (Maria) Garcia"
    username: str
    email: str
    school_year: str | None
    major: str | None
    archived: bool


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result: the student, how well they matched (0-100) and by what."""

    student: StudentCard
    score: float
    matched_by: str  # "username" | "email" | "name"


class StudentIndex:
    """The roster folded for searching, built once per roster (see module doc)."""

    def __init__(self, students: Iterable[Student]) -> None:
        self._cards: list[StudentCard] = []
        self._logins: dict[str, int] = {}  # lower-cased username and email -> position
        self._login_texts: list[str] = []  # lower-cased usernames and email local parts
        self._login_owner: list[int] = []
        by_word: dict[str, set[int]] = {}
        self._whole: dict[str, set[int]] = {}  # "zoenunez": a name typed as one word
        for student in students:
            position = len(self._cards)
            self._cards.append(_card(student))
            self._logins.setdefault(student.username.lower(), position)
            self._logins.setdefault(student.email_address.lower(), position)
            for login in {student.username.lower(), student.email_address.split("@")[0].lower()}:
                self._login_texts.append(login)
                self._login_owner.append(position)
            for word in _name_words(student):
                by_word.setdefault(word, set()).add(position)
            for whole in _whole_names(student):
                self._whole.setdefault(whole, set()).add(position)
        self._words = sorted(by_word)  # every name word of the roster, once
        self._owners = [by_word[word] for word in self._words]

    def __len__(self) -> int:
        return len(self._cards)

    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
        """The best matches for ``query``, best first (archived students after the others
        with the same score, then by name); at most ``limit``."""
        text = query.strip()
        words = fold(text).split()
        if not words:
            return []
        found: dict[int, tuple[float, str]] = {}
        for position, score in self._by_name(words).items():
            found[position] = (score, "name")
        for position, score, matched_by in self._by_login(text):
            if score > found.get(position, (-1.0, ""))[0]:
                found[position] = (score, matched_by)
        cards = self._cards
        ranked = heapq.nsmallest(
            limit,
            found.items(),
            key=lambda item: (-item[1][0], cards[item[0]].archived,
                              cards[item[0]].full_name.casefold()),
        )  # fmt: skip
        return [SearchHit(cards[pos], score, matched_by) for pos, (score, matched_by) in ranked]

    def _by_login(self, text: str) -> list[tuple[int, float, str]]:
        exact = self._logins.get(text.lower())
        if exact is not None:
            return [(exact, 100.0, "email" if "@" in text else "username")]
        if len(text) < MIN_TYPO_WORD or any(char.isspace() for char in text):
            return []  # a login has no spaces
        from rapidfuzz import fuzz, process  # when staff first search: not at kiosk start-up

        matches = process.extract(
            text.lower(), self._login_texts, scorer=fuzz.ratio, processor=None,
            score_cutoff=LOGIN_CUTOFF, limit=None,
        )  # fmt: skip
        return [(self._login_owner[index], float(score), "username") for _, score, index in matches]

    def _by_name(self, words: Sequence[str]) -> dict[int, float]:
        """Students each of whose typed ``words`` finds one of their name words: the mean
        of the words' best scores."""
        totals: dict[int, float] | None = None
        for word in words:
            scores = self._word_scores(word)
            if totals is None:
                totals = scores
            else:
                totals = {pos: sum_ + scores[pos] for pos, sum_ in totals.items() if pos in scores}
            if not totals:
                return {}
        assert totals is not None
        return {position: total / len(words) for position, total in totals.items()}

    def _word_scores(self, word: str) -> dict[int, float]:
        """Each student with a name word that is ``word``, begins with it, or is it with a
        typo: their best score for it."""
        best: dict[int, float] = {}
        levels: list[tuple[float, set[int]]] = [(100.0, self._whole.get(word, set()))]
        start = bisect_left(self._words, word)
        for index in range(start, len(self._words)):
            candidate = self._words[index]
            if not candidate.startswith(word):
                break
            levels.append((100.0 if candidate == word else PREFIX_SCORE, self._owners[index]))
        if len(word) >= MIN_TYPO_WORD:
            from rapidfuzz import fuzz, process  # when staff first search

            for _, ratio, index in process.extract(
                word, self._words, scorer=fuzz.ratio, processor=None,
                score_cutoff=WORD_CUTOFF, limit=None,
            ):  # fmt: skip
                levels.append((min(float(ratio), TYPO_SCORE), self._owners[index]))
        if MIN_TYPO_WORD <= len(word) < ONE_EDIT_BELOW:
            # One letter wrong or two swapped ("kahn" for "khan", "jonh"): a ratio below the
            # cutoff in a 4-letter word (from 5 letters on the ratio pass finds them).
            from rapidfuzz import process
            from rapidfuzz.distance import OSA

            for _, _, index in process.extract(
                word, self._words, scorer=OSA.distance, processor=None,
                score_cutoff=1, limit=None,
            ):  # fmt: skip
                levels.append((ONE_EDIT_SCORE, self._owners[index]))
        for score, owners in sorted(levels, key=lambda level: level[0]):
            best.update(dict.fromkeys(owners, score))  # higher scores last: they win
        return best


def _name_words(student: Student) -> set[str]:
    """Every word of the student's names (first, preferred, middle, last), folded."""
    parts = [student.first_name, student.preferred_name, student.middle_name, student.last_name]
    return set(fold(" ".join(part for part in parts if part)).split())


def _whole_names(student: Student) -> set[str]:
    """The name written as one word ("zoenunez"), with the first and the preferred name."""
    last = fold(student.last_name or "").replace(" ", "")
    givens = (student.first_name, student.preferred_name)
    return {fold(given).replace(" ", "") + last for given in givens if given and last}


def _card(student: Student) -> StudentCard:
    assert student.id is not None
    return StudentCard(
        id=student.id,
        full_name=full_name(student),
        username=sanitise(student.username),
        email=sanitise(student.email_address),
        school_year=sanitise_optional(student.school_year_name),
        major=sanitise_optional(student.primary_major_name or student.major_names),
        archived=bool(student.archived),
    )


#: The columns the index needs (a roster row has some 40).
_INDEXED = (
    "id", "username", "email_address", "first_name", "last_name", "middle_name",
    "preferred_name", "school_year_name", "primary_major_name", "major_names", "archived",
)  # fmt: skip


def load_index(engine: Engine) -> StudentIndex:
    """The whole roster, archived students included, folded into an index (only the columns
    it needs are read)."""
    with Session(engine) as session:
        table = Student.__table__  # type: ignore[attr-defined]
        rows = session.execute(select_columns(*(table.c[name] for name in _INDEXED))).all()
    return StudentIndex(cast(list[Student], rows))  # rows carry the same attribute names


class StudentDirectory:
    """A :class:`StudentIndex` kept in step with the roster: each search first asks the
    database for ``roster_version`` (one row) and builds a new index when an import changed
    it. Safe to call from several threads (the index is replaced whole)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._index: StudentIndex | None = None
        self._version: int | None = None
        self._lock = threading.Lock()

    def index(self) -> StudentIndex:
        version = roster_version(self.engine)
        with self._lock:
            if self._index is None or version != self._version:
                self._index, self._version = load_index(self.engine), version
            return self._index

    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
        return self.index().search(query, limit)


def student_id_by_login(engine: Engine, login: str) -> int | None:
    """The one student whose username or email is ``login`` (case ignored), else None (none,
    or more than one: mixed-case usernames that differ only in case). The student-facing
    lookup (F2) and ``kiosk nametags render`` use it; indexed lookups first (usernames are
    nearly always lower-case), the case-insensitive scan last."""
    text = login.strip()
    if not text:
        return None
    lowered = text.lower()
    with Session(engine) as session:
        for condition in (
            Student.username == text,
            Student.username == lowered,
            Student.email_key == lowered,
            func.lower(Student.username) == lowered,
        ):
            found = session.exec(select(Student.id).where(condition)).all()
            if len(found) == 1:
                return found[0]
            if found:
                return None
    return None


def live_check_in_times(
    engine: Engine, event_id: int, student_ids: Iterable[int]
) -> dict[int, datetime]:
    """When each of these students checked in to the event (live check-ins only)."""
    ids = list(student_ids)
    if not ids:
        return {}
    statement = (
        select(CheckIn.student_id, func.min(CheckIn.checked_in_at))
        .where(CheckIn.event_id == event_id, CheckIn.live(), col(CheckIn.student_id).in_(ids))
        .group_by(col(CheckIn.student_id))
    )
    with Session(engine) as session:
        return {sid: at for sid, at in session.exec(statement).all() if sid is not None}


__all__ = [
    "SearchHit",
    "StudentCard",
    "StudentDirectory",
    "StudentIndex",
    "fold",
    "live_check_in_times",
    "load_index",
    "student_id_by_login",
]
