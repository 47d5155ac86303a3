"""Lists as CSV for the people who take them into a spreadsheet: `Accept: text/csv` on a
list operation answers the very items its JSON would hold — the same scoping, the same
audience's view, the same audit — written as rows instead. Nested objects become dotted
columns (`flat.rent`), lists one cell joined by `;`. A cell that a spreadsheet would run as a
formula (`=`, `+`, `-`, `@`, tab, carriage return first) is written with a leading `'`
(OWASP, "CSV injection"). The next page's cursor is in the `Link` header."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from pydantic import BaseModel

CSV_MEDIA_TYPE = "text/csv"
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
        "description": "The page; as CSV with `Accept: text/csv`",
    }
}
"""The CSV answer, for an operation's `responses`."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


async def _csv_wanted(request: Request) -> bool:
    """Whether the caller asked for CSV before JSON (`Accept: text/csv`)."""
    accept = request.headers.get("accept", "").lower()
    kinds = [part.split(";")[0].strip() for part in accept.split(",")]
    if CSV_MEDIA_TYPE not in kinds:
        return False
    json = "application/json"
    return json not in kinds or kinds.index(CSV_MEDIA_TYPE) < kinds.index(json)


CsvWanted = Annotated[bool, Depends(_csv_wanted)]


def _flat(value: Any, prefix: str, row: dict[str, str]) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _flat(inner, f"{prefix}.{key}" if prefix else str(key), row)
    elif isinstance(value, list):
        row[prefix] = ";".join(_cell(v) for v in value)
    else:
        row[prefix] = _cell(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def csv_text(items: Iterable[BaseModel | Mapping[str, Any]]) -> str:
    """The items as CSV: one row each, the columns every item has in the order first met."""
    rows: list[dict[str, str]] = []
    columns: dict[str, None] = {}
    for item in items:
        data = item.model_dump(mode="json") if isinstance(item, BaseModel) else item
        row: dict[str, str] = {}
        _flat(data, "", row)
        rows.append(row)
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def csv_response(
    items: Iterable[BaseModel | Mapping[str, Any]], next_cursor: str | None = None
) -> Response:
    """The CSV answer to a list operation; `next_cursor` goes in a `Link: rel="next"`."""
    headers = {"Cache-Control": "no-store"}
    if next_cursor:
        headers["Link"] = f'<?cursor={next_cursor}>; rel="next"'
    return Response(csv_text(items), media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8", headers=headers)
