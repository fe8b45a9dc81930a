"""The Handshake Student CSV: its columns, the Student attribute each maps to, allowed values.

This module is data only; the per-value checks live in :mod:`kiosk.roster.validate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: The literal that erases a stored value (a blank cell keeps it).
CLEAR = "**CLEAR**"

#: Handshake's limits on one file (reported as warnings: the kiosk still imports it).
HANDSHAKE_MAX_BYTES = 50 * 1024 * 1024
HANDSHAKE_MAX_ROWS = 199_999

Kind = Literal["text", "email", "emails", "name", "enum", "gpa", "list", "date", "bool", "mobile"]

SCHOOL_YEARS: tuple[str, ...] = (
    "Freshman",
    "Sophomore",
    "Junior",
    "Senior",
    "First Year Community / Technical College",
    "Second Year Community / Technical College",
    "Certificate Program",
    "Masters",
    "Masters of Business Administration",
    "Accelerated Masters",
    "Doctorate",
    "Postdoctoral Studies",
    "Alumni",
)

EDUCATION_LEVELS: tuple[str, ...] = (
    "Associates",
    "Certificate",
    "Advanced Certificate",
    "Bachelors",
    "Masters",
    "Doctorate",
    "Postdoctoral Studies",
    "Non-Degree Seeking",
    "Technical Diploma",
)


@dataclass(frozen=True, slots=True)
class Column:
    """One Handshake column.

    ``required``: the header must be present. ``not_blank``: every row must fill it in.
    ``unique``: no two students may share a value. ``allowed``: the exact values an enum takes.
    ``multiline``: a value may span lines (CR and LF allowed; no other control character
    is, in any column: see :mod:`kiosk.text_safety`).
    """

    header: str
    attribute: str
    kind: Kind = "text"
    required: bool = False
    not_blank: bool = False
    unique: bool = False
    allowed: tuple[str, ...] = ()
    max_length: int | None = None
    multiline: bool = False


_PE = "primary_education:"

COLUMNS: tuple[Column, ...] = (
    Column("email_address", "email_address", "email", required=True, not_blank=True, unique=True),
    Column("username", "username", required=True, not_blank=True, unique=True),
    Column("first_name", "first_name", "name", required=True, not_blank=True, max_length=50),
    Column("auth_identifier", "auth_identifier", required=True, unique=True),
    Column("school_year_name", "school_year_name", "enum", required=True, allowed=SCHOOL_YEARS),
    Column(_PE + "cumulative_gpa", "cumulative_gpa", "gpa", required=True),
    Column(_PE + "major_names", "major_names", "list", required=True, max_length=255),
    Column(
        _PE + "education_level_name",
        "education_level_name",
        "enum",
        required=True,
        allowed=EDUCATION_LEVELS,
    ),
    Column("last_name", "last_name", "name", max_length=50),
    Column("middle_name", "middle_name", "name", max_length=50),
    Column("preferred_name", "preferred_name", "name", max_length=50),
    Column("additional_email_addresses", "additional_email_addresses", "emails"),
    Column(_PE + "department_gpa", "department_gpa", "gpa"),
    Column(_PE + "primary_major_name", "primary_major_name", max_length=255),
    Column(_PE + "minor_names", "minor_names", "list", max_length=255),
    Column(_PE + "college_names", "college_names", "list"),
    Column(_PE + "primary_college_name", "primary_college_name"),
    Column(_PE + "start_date", "start_date", "date"),
    Column(_PE + "end_date", "end_date", "date"),
    Column(_PE + "currently_attending", "currently_attending", "bool"),
    Column("card_id", "card_id", unique=True),
    Column("campus_name", "campus_name"),
    Column("ethnicity", "ethnicity"),
    Column("gender", "gender"),
    Column("work_study_eligible", "work_study_eligible", "bool"),
    Column("athlete", "athlete", "bool"),
    Column("first_generation", "first_generation", "bool"),
    Column("veteran", "veteran", "bool"),
    Column("eu_gdpr_subject", "eu_gdpr_subject", "bool"),
    Column("disabled", "disabled", "bool"),
    Column("system_label_names", "system_label_names", "list"),
    Column("mobile_number", "mobile_number", "mobile"),
    Column("assigned_to_email_address", "assigned_to_email_address", "email"),
    Column("hometown_location_attributes:name", "hometown_location", multiline=True),
)

#: Older files name the colleges column differently; both map to college_names.
HEADER_ALIASES: dict[str, str] = {
    "college_name": _PE + "college_names",
    _PE + "college_name": _PE + "college_names",
}

BY_HEADER: dict[str, Column] = {column.header: column for column in COLUMNS}
BY_ATTRIBUTE: dict[str, Column] = {column.attribute: column for column in COLUMNS}

#: The Student attributes a row carries, in this order (a row is a tuple in this order).
ATTRIBUTES: tuple[str, ...] = tuple(column.attribute for column in COLUMNS)
INDEX: dict[str, int] = {attribute: i for i, attribute in enumerate(ATTRIBUTES)}

#: Without these headers a file is not a student roster: it is refused.
IDENTITY_HEADERS: tuple[str, ...] = ("username", "email_address", "first_name")
REQUIRED_HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS if c.required)

#: Columns whose values are gathered for the gut check ("which majors are new?"): each
#: category name -> the attributes that feed it (semicolon lists are split).
CATEGORIES: dict[str, tuple[str, ...]] = {
    _PE + "major_names": ("major_names", "primary_major_name"),
    _PE + "minor_names": ("minor_names",),
    _PE + "college_names": ("college_names", "primary_college_name"),
    "campus_name": ("campus_name",),
}
LIST_ATTRIBUTES: frozenset[str] = frozenset(c.attribute for c in COLUMNS if c.kind == "list")


def split_list(value: str) -> list[str]:
    """The items of a semicolon list, stripped, empty items dropped."""
    return [item.strip() for item in value.split(";") if item.strip()]
