"""Matching scans to people: the event's attendee (by badge id, then email), or a new attendee
when the badge says who; a code that matches nobody stays a raw unknown badge until resolved.

``scans_match`` does a whole chunk of a booth's scans in a fixed number of queries; a lead's
counters are always recomputed from its scans (``leads_recount``), so they cannot drift.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce, Lower

from tracker.analytics.freshness import figures_changed
from tracker.badges import ParsedBadge, parse_badge
from tracker.crm.propagation import CONSENT, LIVE, crm_propagate_soon
from tracker.drivercursors import among, among_texts, copy_insert_values, copy_update, copy_update_values
from tracker.models import Attendee, CrmPush, Lead, Scan, Sponsorship
from tracker.models.choices import ConsentHow, PayloadFormat
from tracker.models.leads import LATEST_ASKED_FIRST, TIMED
from tracker.questions.service import lead_answers_refresh

EARLIER_SHOWN = 5
ATTENDEE_FIELDS = {
    "display_name": 240, "first_name": 120, "last_name": 120, "email": 254, "phone": 40, "title": 200, "company": 200, "country": 2, "city": 100,
}  # fmt: skip


def typed_badge(data: dict) -> ParsedBadge:
    """A badge from what staff typed in (name, company, email, badge id)."""
    email = (data.get("email") or "").strip()
    return ParsedBadge(
        format=PayloadFormat.MANUAL,
        badge_id=(data.get("badge_id") or "").strip(),
        first_name=(data.get("first_name") or "").strip(),
        last_name=(data.get("last_name") or "").strip(),
        emails=(email,) if email else (),
        title=(data.get("title") or "").strip(),
        company=(data.get("company") or "").strip(),
        phone=(data.get("phone") or "").strip(),  # an imported row's; booth staff type no phone
        country=(data.get("country") or "").strip(),
        city=(data.get("city") or "").strip(),
    )


def badge_of(raw_payload: str, typed: dict) -> ParsedBadge:
    """The identity a scan carries: the parsed payload, or what staff typed when there is none."""
    if raw_payload.strip():
        return parse_badge(raw_payload)
    return typed_badge(typed)


def attendee_values(badge: ParsedBadge) -> dict[str, str]:
    return {name: (getattr(badge, name) or "")[:limit] for name, limit in ATTENDEE_FIELDS.items()}


def blanks_filled(attendee: Attendee, badge: ParsedBadge) -> dict[str, str]:
    """What a badge adds to an attendee: values for its blank fields only (the organiser's data is never
    overwritten)."""
    return {
        name: value for name, value in attendee_values(badge).items() if value and not getattr(attendee, name)
    }


def _fill_blanks(attendee: Attendee, badge: ParsedBadge) -> None:
    """Complete an attendee with what a badge adds, and save it."""
    changed = blanks_filled(attendee, badge)
    for name, value in changed.items():
        setattr(attendee, name, value)
    if changed:
        attendee.save(update_fields=list(changed))


def attendee_find(event_id: int, badge: ParsedBadge) -> Attendee | None:
    """The event's attendee this badge names: by badge id, then by email. Reads only."""
    attendees = Attendee.objects.filter(event_id=event_id)
    found = attendees.filter(badge_id=badge.badge_id).first() if badge.badge_id else None
    if found is None and badge.email:
        found = attendees.annotate(key=Lower("email")).filter(key=badge.email.lower()).order_by("pk").first()
    return found


def says_who(badge: ParsedBadge) -> bool:
    return bool(badge.email or badge.first_name or badge.last_name)


def attendee_match(event_id: int, badge: ParsedBadge) -> Attendee | None:
    """The attendee this badge names, created if the badge says who; None for an unknown badge."""
    found = attendee_find(event_id, badge)
    if found is not None:
        _fill_blanks(found, badge)
        return found
    if not says_who(badge):
        return None  # a bare id nobody has: an unknown badge, resolved later
    try:
        with transaction.atomic():
            return Attendee.objects.create(
                event_id=event_id, badge_id=badge.badge_id[:120], **attendee_values(badge)
            )
    except IntegrityError:  # the same badge arrived at the same moment from another phone
        return Attendee.objects.get(event_id=event_id, badge_id=badge.badge_id)


def lead_for(sponsorship_id: int, attendee: Attendee) -> Lead:
    """The one lead of this attendee at this booth, race-safe under the unique constraint."""
    lead = Lead.objects.filter(sponsorship_id=sponsorship_id, attendee=attendee).first()
    if lead is not None:
        return lead
    try:
        with transaction.atomic():
            return Lead.objects.create(sponsorship_id=sponsorship_id, attendee=attendee)
    except IntegrityError:  # another worker created it a moment ago
        return Lead.objects.get(sponsorship_id=sponsorship_id, attendee=attendee)


def people_named(event_id: int, badges: list[ParsedBadge], booth: int | None = None) -> dict[tuple, Attendee]:
    """The event's attendees these badges name, by identity (``identity``): three queries at most.

    Who has neither a badge id nor an email is known by name and company; with ``booth``, only among the
    people that booth already has as leads (typed in at it, or imported into it): another sponsor's
    attendees are never found, and so never shown, by a name alone. Names are compared in Python (the
    database only narrows the candidates), so a name reads the same whichever side wrote it.
    """
    attendees = Attendee.objects.filter(event_id=event_id)
    badge_ids = {b.badge_id for b in badges if b.badge_id}
    named = [b for b in badges if not b.badge_id and not b.email and says_who(b)]
    found: dict[tuple, Attendee] = {}
    if badge_ids:
        by_badge = attendees.exclude(badge_id="").filter(among_texts(Attendee, "badge_id", badge_ids))
        found |= {("badge", a.badge_id): a for a in by_badge.order_by()}  # "": the unique index's condition
    # An email is looked up only for a badge its id did not find (``known_among`` goes no further).
    emails = {b.email.lower() for b in badges if b.email and ("badge", b.badge_id) not in found}
    if emails:
        by_email = attendees.annotate(key=Lower("email")).filter(among_texts(Attendee, "key", emails))
        for attendee in by_email.order_by("-pk"):  # the oldest last: it wins
            found[("email", attendee.key)] = attendee
    if named:
        written = {attendee_values(b)["last_name"] for b in named}
        lowered = {" ".join(name.split()).lower() for name in written}
        candidates = attendees.annotate(key=Lower("last_name")).filter(
            Q(last_name__in=written) | Q(key__in=lowered)
        )
        if booth is not None:
            candidates = candidates.filter(leads__sponsorship_id=booth)
        for attendee in candidates.order_by("-pk"):  # the newest first: one just added wins
            found.setdefault(name_key(attendee.first_name, attendee.last_name, attendee.company), attendee)
    return found


def known_among(people: dict[tuple, Attendee], badge: ParsedBadge) -> Attendee | None:
    """A badge's attendee: by badge id, else email; by name and company only if it has neither."""
    found = people.get(("badge", badge.badge_id)) if badge.badge_id else None
    if found is None and badge.email:
        found = people.get(("email", badge.email.lower()))
    if found is None and not badge.badge_id and not badge.email:
        found = people.get(identity(badge))
    return found


def attendees_for(
    event_id: int, badges: list[ParsedBadge], booth: int | None = None, people: dict | None = None
) -> list[Attendee | None]:
    """The attendee of each badge, in a handful of queries however many: the ones that say who but are
    not on the list yet are added in one insert (one that another process added meanwhile is kept), and
    what a badge adds to a known attendee fills its blanks, never overwriting the organiser's data.
    ``booth``: whose leads a name alone may match; ``people``: ``people_named``'s answer for these badges
    when the caller has it (read in the same transaction)."""
    if people is None:
        people = people_named(event_id, badges, booth)
    new: dict[tuple, ParsedBadge] = {}
    new_emails: set[str] = set()
    for badge in badges:
        if known_among(people, badge) is None and says_who(badge):
            email = badge.email.lower()
            if email and email in new_emails:
                continue  # the same person under another badge id in this batch: found by email below
            if identity(badge) not in new:
                new[identity(badge)] = badge
                new_emails.add(email)
    if new:
        copy_insert_values(
            Attendee,
            ["event_id", "badge_id", *ATTENDEE_FIELDS],
            [(event_id, b.badge_id[:120], *attendee_values(b).values()) for b in new.values()],
        )
        # Every badge still unknown, not only those added: one skipped above for its email is found by it.
        people |= people_named(
            event_id, [b for b in badges if known_among(people, b) is None and says_who(b)]
        )
    result = [known_among(people, badge) for badge in badges]
    # Blanks filled, grouped by the fields they fill (one list's missing country, say): each group is one
    # UPDATE of just those columns.
    filled: dict[int, tuple[Attendee, set[str]]] = {}
    for badge, attendee in zip(badges, result, strict=True):
        if attendee is not None:
            for name, value in blanks_filled(attendee, badge).items():
                setattr(attendee, name, value)
                filled.setdefault(attendee.pk, (attendee, set()))[1].add(name)
    groups: dict[tuple[str, ...], list[Attendee]] = defaultdict(list)
    for attendee, names in filled.values():
        groups[tuple(sorted(names))].append(attendee)
    for names, group in groups.items():
        copy_update(group, list(names))
    return result


def identity(badge: ParsedBadge) -> tuple:
    """Who a badge is: its badge id, else its email, else its name and company (case and spacing aside)."""
    if badge.badge_id:
        return ("badge", badge.badge_id)
    if badge.email:
        return ("email", badge.email.lower())
    return name_key(badge.first_name, badge.last_name, badge.company)


def name_key(first: str, last: str, company: str) -> tuple:
    return ("name", *(" ".join(part.split()).casefold() for part in (first, last, company)))


def lead_ids_for(
    sponsorship_id: int, attendee_ids: set[int], found: dict[int, int] | None = None
) -> dict[int, int]:
    """The id of the booth's lead of each attendee, creating missing leads (ignoring a concurrent
    creator's). ``found``: ``booth_leads_of``'s answer for some of them, read in the same transaction."""
    found = dict(found or {})
    if unread := attendee_ids - set(found):
        found |= booth_leads_of(sponsorship_id, unread)
    if missing := attendee_ids - set(found):
        copy_insert_values(Lead, ["sponsorship_id", "attendee_id"], [(sponsorship_id, pk) for pk in missing])
        found |= booth_leads_of(sponsorship_id, missing)
    return found


def booth_leads_of(sponsorship_id: int, attendee_ids: Iterable[int]) -> dict[int, int]:
    """{attendee id: lead id} of the booth's leads of these attendees (one query)."""
    leads = Lead.objects.filter(sponsorship_id=sponsorship_id).order_by()
    return dict(leads.filter(among(Lead, "attendee_id", attendee_ids)).values_list("attendee_id", "pk"))


def scans_match(scans: list[Scan], now: datetime) -> None:
    """Match a chunk of one booth's pending scans to attendees and leads, in a handful of queries."""
    if not scans:
        return
    sponsorship = scans[0].sponsorship
    assert all(scan.sponsorship_id == sponsorship.pk for scan in scans), "one booth per chunk"
    badges = [badge_of(scan.raw_payload, scan.typed) for scan in scans]
    attendees = attendees_for(sponsorship.event_id, badges, sponsorship.pk)
    leads = lead_ids_for(sponsorship.pk, {a.pk for a in attendees if a is not None})
    for scan, badge, attendee in zip(scans, badges, attendees, strict=True):
        scan.lead_id = leads[attendee.pk] if attendee is not None else None
        scan.payload_format = badge.format
        scan.processed_at = now
    copy_update(scans, ["lead", "payload_format", "processed_at"])
    figures_changed([sponsorship.pk])
    leads_recount({scan.lead_id for scan in scans if scan.lead_id})


# What a recount writes of a lead, in this order (``_recounted``).
RECOUNTED = ["scan_count", "first_scan_at", "last_scan_at", "consent", "consent_recorded_at", "consent_how",
             "consent_by_id"]  # fmt: skip


def _recounted(lead: tuple, counted: tuple | None, latest: tuple | None, asked_again_at) -> tuple:
    """A lead's ``RECOUNTED`` values from its scans (pure). ``lead``: its consent as stored (consent,
    recorded at, how, by); ``counted``: (scans, first received, last received), None without scans;
    ``latest``: the latest scan that asked for consent (its answer, when received, source, scanned by);
    ``asked_again_at``: when a booth last asked (the phone's clock, else when received).

    The latest scan that asked gives the answer, unless the person told us since (from the lead page):
    what the person told us stands until a booth asks them again afterwards, by when it asked (a phone
    that syncs late brings an older answer); a file's answer never overrides it."""
    consent, recorded_at, how, by = lead
    scans, first, last = counted or (0, None, None)
    told_since = how == ConsentHow.PERSON and not (
        asked_again_at is not None and recorded_at is not None and asked_again_at > recorded_at
    )
    if not told_since and latest is not None:
        consent, recorded_at, source, by = latest
        how = ConsentHow.BOOTH if source == "" else ConsentHow.IMPORT
    return scans, first, last, consent, recorded_at, how, by


def leads_recount(lead_ids: Iterable[int], *, answers: bool = True) -> None:
    """Recompute leads' counters and latest consent answer from their scans (the leads locked first; the
    changed ones written in one statement), and their answers to the questions unless ``answers`` is
    False (the caller added scans none of which answers any: the leads' answers cannot have changed).

    Three grouped reads of the leads' scans and one write, whatever the number of leads: the single UPDATE
    of correlated subqueries it replaced ran nine of them a lead (bench/imports.py's import)."""
    lead_ids = list(lead_ids)
    if not lead_ids:
        return
    scans = Scan.objects.filter(among(Scan, "lead_id", lead_ids)).order_by()
    answered = scans.filter(consent__isnull=False)
    with transaction.atomic():
        # The leads are locked first, in one order, by a statement of their own: a transaction recounting
        # the same leads (another worker's chunk of the booth) has committed by then, and the reads below,
        # each with a snapshot taken after, see its scans. Counted in the statement that waits for the
        # lock, they would be missed: a counter short of the scans that worker matched.
        stored = {
            pk: values
            for pk, *values in Lead.objects.filter(among(Lead, "pk", lead_ids))
            .order_by("pk")
            .select_for_update()
            .values_list("pk", *RECOUNTED)
        }
        # First and last contact: a file's row without a scan time counts as a scan, but its time (the
        # import's) is not when the person was met; a lead met only in such rows has no contact time.
        counted = {
            lead_id: (n, first, last)
            for lead_id, n, first, last in scans.values("lead_id")
            .annotate(
                n=Count("pk"), first=Min("received_at", filter=TIMED), last=Max("received_at", filter=TIMED)
            )
            .values_list("lead_id", "n", "first", "last")
        }
        # The latest answer by when the person was asked (a phone that syncs late brings an older answer; a
        # file's row without a time is the oldest), as for the questions' answers.
        latest: dict[int, tuple] = {}
        for lead_id, *answer in answered.order_by("lead_id", *LATEST_ASKED_FIRST).values_list(
            "lead_id", "consent", "received_at", "source", "scanned_by_id"
        ):
            latest.setdefault(lead_id, tuple(answer))
        asked_again = dict(
            answered.filter(source="")
            .values("lead_id")
            .annotate(at=Max(Coalesce("device_scanned_at", "received_at")))
            .values_list("lead_id", "at")
        )
        changed = []
        for pk, values in stored.items():
            now = _recounted(tuple(values[3:]), counted.get(pk), latest.get(pk), asked_again.get(pk))
            if list(now) != values:
                changed.append((pk, *now))
        copy_update_values(Lead, RECOUNTED, changed)
        if answers:
            lead_answers_refresh(lead_ids)
        # A booth's later "no" (a new scan, a correction, an imported file) reaches the CRMs holding the lead.
        withdrawn = CrmPush.objects.filter(among(CrmPush, "lead_id", lead_ids), status__in=LIVE).exclude(
            lead__consent=True
        )
        crm_propagate_soon(withdrawn.values_list("lead_id", flat=True), CONSENT)


def scan_preview(*, sponsorship: Sponsorship, data: dict) -> tuple[ParsedBadge, Attendee | None, list[Scan]]:
    """Who a badge is and the booth's earlier interactions with them, without storing anything."""
    badge = badge_of(data.get("raw_payload") or "", data)
    attendee = attendee_find(sponsorship.event_id, badge)
    lead = Lead.objects.filter(sponsorship=sponsorship, attendee=attendee).first() if attendee else None
    earlier = (
        list(lead.scans.select_related("scanned_by__user").order_by("-received_at")[:EARLIER_SHOWN])
        if lead
        else []
    )
    return badge, attendee, earlier
