"""Constrained field types shared by the schemas: Swedish formats and safe text.

Text fields reject control characters, C0 and C1 (PostgreSQL refuses NUL, logs must not be
forged; long text may carry tabs and line breaks, so of the C0 ones it refuses NUL only) and
are bounded, so that no input can reach the database in a form it would refuse with a 500.

Free text — the text types and the references (`Identifier`, `AreaId`) — also refuses a
personal identity number in any spelling and the invisible and bidirectional controls
(issue 29): free text is stored and sent on in events to other organisations, and a
personnummer there is data the service must never hold (docs/privacy.md). The guard sits
on the types, so a schema that declares a free-text field gets it without asking.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any

from organisationsnummer.organisationsnummer import (
    Organisationsnummer,
    OrganisationsnummerException,
)
from personnummer import personnummer
from pydantic import AfterValidator, BeforeValidator, Field, Strict, StrictBool, StringConstraints

# Characters that show nothing or reorder what is shown: the bidirectional marks, embeddings,
# overrides and isolates (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), the
# zero-width ones (U+180E, U+200B-U+200D, U+2060-U+2064, U+FEFF, the rest of U+206x) and the
# line and paragraph separators U+2028-U+2029. A reader of an address or a comment would not
# see what was stored (a reversed number, a word split so a filter misses it).
_INVISIBLE = r"\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
_INVISIBLE_CHARACTER = re.compile(f"[{_INVISIBLE}]")
# C0 controls, DEL and the C1 controls U+0080-U+009F (NEL, CSI, …: a terminal or a log
# viewer acts on them as on C0 ones), and the invisible ones. Long text refuses NUL, DEL, C1
# and the invisible ones, and keeps tabs and line breaks.
_NO_CONTROL = rf"^[^\x00-\x1f\x7f-\x9f{_INVISIBLE}]*$"
_NO_CONTROL_BUT_LAYOUT = rf"^[^\x00\x7f-\x9f{_INVISIBLE}]*$"
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"
"""A reference a client keeps in its own system (case numbers, unit codes, scenario keys)."""

# Digits with whatever separates them but letters: `19121212-1212`, `121212+1212`,
# `1985-01-01-1236`, `850101.1236`. A number hidden in longer text is one of these runs.
_DIGIT_RUN = re.compile(r"\d+(?:[\W_]+\d+)*")
_DIGIT_GROUP = re.compile(r"\d+")
# Centuries a twelve-digit spelling may start with: anything else (a serial such as
# `2026-0001-0001`) is not a birth date, however its check digit falls.
_CENTURIES = ("18", "19", "20")


def _is_identity_number(digits: str) -> bool:
    """Ten or twelve digits that the personnummer library accepts: a date (the day + 60 of a
    samordningsnummer too) and a valid Luhn check digit. Ten digits are tried in both
    centuries a separator could give them (`-` and `+`), so 29 February is never missed."""
    if len(digits) == 12:
        return digits[:2] in _CENTURIES and bool(personnummer.valid(digits))
    if len(digits) == 10:
        return bool(personnummer.valid(digits) or personnummer.valid(f"{digits[:6]}+{digits[6:]}"))
    return False


def contains_identity_number(text: str) -> bool:
    """Whether the text holds a Swedish personal identity or coordination number in any
    spelling: a run of digits and separators whose consecutive digit groups make a number
    the library accepts, whatever separates them and whatever surrounds the run."""
    for run in _DIGIT_RUN.finditer(text):
        groups = _DIGIT_GROUP.findall(run.group())
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) > 12:
                    break
                if _is_identity_number(digits):
                    return True
    return False


def contains_invisible_character(text: str) -> bool:
    """Whether the text holds a bidirectional or zero-width control or a line separator."""
    return _INVISIBLE_CHARACTER.search(text) is not None


# The refusals say why and never echo the value: errors are logged and shown to the caller.
IDENTITY_NUMBER_REFUSED = "must not contain a personal identity number (personnummer)"
INVISIBLE_CHARACTER_REFUSED = "must not contain invisible or bidirectional control characters"


def refuse_identity_number(text: str) -> str:
    if contains_identity_number(text):
        raise ValueError(IDENTITY_NUMBER_REFUSED)
    return text


def _no_invisible_character(value: object) -> object:
    # Before the pattern, which refuses the same characters, so the caller reads why.
    if isinstance(value, str) and contains_invisible_character(value):
        raise ValueError(INVISIBLE_CHARACTER_REFUSED)
    return value


ShortText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=_NO_CONTROL),
    BeforeValidator(_no_invisible_character),
    AfterValidator(refuse_identity_number),
]
LongText = Annotated[
    str,
    StringConstraints(max_length=2000, pattern=_NO_CONTROL_BUT_LAYOUT),
    BeforeValidator(_no_invisible_character),
    AfterValidator(refuse_identity_number),
]
Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=IDENTIFIER_PATTERN),
    AfterValidator(refuse_identity_number),
]
AreaId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$"),
    AfterValidator(refuse_identity_number),
]
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
"""The ids the service hands out (lower-case UUID4 text)."""
UUIDStr = Annotated[str, StringConstraints(min_length=36, max_length=36, pattern=UUID_PATTERN)]
PostalCode = Annotated[str, StringConstraints(pattern=r"^[1-9]\d{2} \d{2}$")]
# Numbers and flags are strict: `true` is not 1 and "3" is not 3, so what a client sends is
# what the schema says (a fuzzer checks that schema-violating input is refused).
Rooms = Annotated[int, Strict(), Field(ge=1, le=10)]
Rent = Annotated[int, Strict(), Field(ge=1, le=100_000, description="SEK per month")]
Money = Annotated[int, Strict(), Field(ge=0, le=10_000_000, description="SEK")]
Count = Annotated[int, Strict(), Field(ge=0, le=100_000)]
Flag = StrictBool


def _not_bool(value: object) -> object:
    if isinstance(value, (bool, str)):
        raise ValueError("must be a JSON number")
    return value


Multiple = Annotated[float, BeforeValidator(_not_bool), Field(ge=0, le=10, allow_inf_nan=False)]


def unique_items(values: list[Any]) -> list[Any]:
    """A list validator: sets of codes (areas, forms, groups) must not repeat a value."""
    if len(set(values)) != len(values):
        raise ValueError("must not repeat a value")
    return values


@lru_cache(maxsize=1)
def official_municipalities() -> dict[str, str]:
    """The 290 kommunkoder and names, shipped with the package (from SCB's list)."""
    text = resources.files("app.municipalities").joinpath("kommuner.csv").read_text("utf-8")
    return {row["code"]: row["name"] for row in csv.DictReader(text.splitlines())}


def _official_code(code: str) -> str:
    if code not in official_municipalities():
        raise ValueError("not an official Swedish kommunkod")
    return code


def _valid_org_number(number: str) -> str:
    try:
        Organisationsnummer(number)
    except OrganisationsnummerException as exc:
        raise ValueError("check digit or number range is wrong") from exc
    return number


MunicipalityCode = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}$"),
    AfterValidator(_official_code),
    Field(description="Four-digit kommunkod", examples=["1980"]),
]
OrgNumber = Annotated[
    str,
    StringConstraints(pattern=r"^\d{6}-\d{4}$"),
    AfterValidator(_valid_org_number),
    Field(description="Organisationsnummer NNNNNN-NNNN", examples=["556036-0793"]),
]

MUNICIPALITY_PATH = re.compile(r"^\d{4}$")
