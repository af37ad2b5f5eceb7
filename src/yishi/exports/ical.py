"""Upcoming meetings as an iCalendar file (``/meetings.ics``) residents can subscribe to."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import icalendar

from ..permalinks import meeting_url
from .context import ExportContext

CALENDAR_FILE = "meetings.ics"
#: Meetings record a start time only; calendars need an end.
DEFAULT_DURATION = dt.timedelta(hours=2)


def meetings_calendar(ctx: ExportContext) -> bytes:
    """Every meeting on or after the build's day, one VEVENT each, with stable UIDs."""
    council = ctx.council
    today = ctx.council.today(ctx.generated_at)
    host = urlsplit(ctx.site_url).hostname or "yishi.invalid"
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Yishi//议事//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{council.name} 议事会")
    for meeting_id, loaded in sorted(ctx.repo.meetings.items()):
        meeting = loaded.record
        if meeting.date < today:
            continue
        event = icalendar.Event()
        event.add("uid", f"{meeting_id}@{host}")
        event.add("summary", meeting.title)
        if meeting.time:
            start = ctx.day_start(meeting.date, meeting.time).astimezone(dt.UTC)
            event.add("dtstart", start)
            event.add("dtend", start + DEFAULT_DURATION)
        else:
            event.add("dtstart", meeting.date)
            event.add("dtend", meeting.date + dt.timedelta(days=1))
        event.add("location", meeting.place)
        issues = [
            ctx.repo.issues[item.issue].record.title
            for item in meeting.agenda if item.issue in ctx.repo.issues
        ]
        details = [f"召集人:{meeting.convener}", f"层级:{council.level_names.get(meeting.level, meeting.level)}"]
        if issues:
            details.append("议题:" + ";".join(issues))
        event.add("description", "\n".join(details))
        event.add("url", ctx.link(meeting_url(meeting_id)))
        last = ctx.record_history(loaded.path).last_changed
        event.add("dtstamp", (last.date if last else ctx.generated_at).astimezone(dt.UTC))
        calendar.add_component(event)
    content: bytes = calendar.to_ical()
    return content
