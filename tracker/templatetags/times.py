"""Times for people in templates, by the one rule of tracker/times.py: ``{{ scan.received_at|when }}``."""

from __future__ import annotations

from django import template
from django.utils import timezone

from tracker import times

register = template.Library()


@register.filter
def when(value) -> str:
    """A date or time in the active zone (the viewer's, or the event's inside ``{% timezone %}``), with
    the year only when it is not this year: "Wed 20 Mar 2024, 10:15"."""
    return times.when(value, timezone.get_current_timezone())


@register.filter
def when_zone(value) -> str:
    """Like ``when``, naming the zone: "Thu 12 Nov, 23:37 MST"."""
    return times.when(value, timezone.get_current_timezone(), with_zone=True)


@register.inclusion_tag("tracker/includes/zone_note.html", takes_context=True)
def zone_note(context, event) -> dict:
    """ "Times are Salt Lake City time (MST)" on an event's page, when the viewer works in another zone."""
    viewer = times.zone(context["access"].time_zone) if context.get("access") else times.UTC
    event_zone = times.zone(event.time_zone)
    now = timezone.now()
    differs = now.astimezone(viewer).utcoffset() != now.astimezone(event_zone).utcoffset()
    return {"event": event, "differs": differs, "abbreviation": now.astimezone(event_zone).tzname()}


@register.inclusion_tag("tracker/includes/viewer_zone_note.html")
def viewer_zone_note() -> dict:
    """ "Times are in your zone, New York time (EST)" on a page across events, where times are the viewer's
    (an event's page says the event's zone instead, ``zone_note``)."""
    zone = timezone.get_current_timezone()
    return {"place": times.zone_place(zone), "abbreviation": timezone.now().astimezone(zone).tzname()}
