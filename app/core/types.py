"""Constrained field types shared by the schemas: Swedish formats and safe text.

Text fields reject control characters, C0 and C1 (PostgreSQL refuses NUL, logs must not be
forged; long text may carry tabs and line breaks, so of the C0 ones it refuses NUL only) and
are bounded, so that no input can reach the database in a form it would refuse with a 500.
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
from pydantic import AfterValidator, BeforeValidator, Field, Strict, StrictBool, StringConstraints

# C0 controls, DEL and the C1 controls U+0080-U+009F (NEL, CSI, …: a terminal or a log
# viewer acts on them as on C0 ones). Long text refuses NUL, DEL and C1 only.
_NO_CONTROL = r"^[^\x00-\x1f\x7f-\x9f]*$"
_NO_CONTROL_BUT_LAYOUT = r"^[^\x00\x7f-\x9f]*$"

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NO_CONTROL)]
LongText = Annotated[str, StringConstraints(max_length=2000, pattern=_NO_CONTROL_BUT_LAYOUT)]
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
]
AreaId = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
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
