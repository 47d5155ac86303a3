"""The dashboard's prevention panel (issue 25): the day's worklist of eviction-prevention
cases as counts and case references — never a name or an identity number, which the
coordinator's view of a case does not hold anyway. A piece of its own, gathered and drawn
here, so the rest of the dashboard only appends it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.core.db import STOCKHOLM
from app.dashboard import labels
from app.dashboard.client import ApiReader
from app.dashboard.labels import Lang
from app.dashboard.panels import local_minute

SHOWN = 10
"""Cases listed by reference; the counts cover them all."""

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


@dataclass(frozen=True)
class PreventionLine:
    case: str
    """The case id's first eight characters: enough to find it, no name."""
    external_ref: str | None
    kind: str
    """The signal's kind as its code (the template puts it in words)."""
    due: str | None
    overdue: bool
    priority: int


@dataclass
class PreventionPanel:
    open_total: int
    overdue_total: int
    due_today_total: int
    lines: list[PreventionLine] = field(default_factory=list)


def _end_of_today() -> datetime:
    now = datetime.now(UTC).astimezone(STOCKHOLM)
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=STOCKHOLM)


async def gather(reader: ApiReader) -> PreventionPanel:
    """The open cases in worklist order (priority, then deadline), as the coordinator reads
    them through the API."""
    items = (await reader.get("/v1/prevention/cases"))["items"]
    end = _end_of_today()
    return PreventionPanel(
        open_total=len(items),
        overdue_total=sum(1 for item in items if item["overdue"]),
        due_today_total=sum(1 for item in items if datetime.fromisoformat(item["due_at"]) < end),
        lines=[
            PreventionLine(
                case=item["id"][:8],
                external_ref=item["external_ref"],
                kind=item["kind"],
                due=local_minute(item["due_at"]),
                overdue=item["overdue"],
                priority=item["priority"],
            )
            for item in items[:SHOWN]
        ],
    )


async def panel_html(reader: ApiReader, lang: Lang = Lang.sv) -> str:
    """The panel, drawn in the page's language: appended to the other panels."""
    return _TEMPLATES.get_template("prevention.html").render(
        p=await gather(reader),
        lang=lang,
        label=labels.label,
        prevention_kind=labels.prevention_kind,
    )
