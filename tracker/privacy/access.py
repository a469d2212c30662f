"""Subject access: everything a sponsor holds about one person (found by email or badge id), as JSON and
as a workbook, for the person who asks. Each lead of theirs with who they are, what was noted at each
scan (the raw badge payload included), the score and its reasons, and the follow-up with its history.
Every text is written to the workbook as text, never a formula. The request is in the audit log."""

from __future__ import annotations

import io
import json

from django.db.models import Prefetch

from tracker.exports.safety import clean_text
from tracker.models import FollowUpChange, Lead, Scan
from tracker.models.leads import attendee_name
from tracker.models.privacy import AuditAction
from tracker.privacy.audit import audit
from tracker.privacy.erasure import identifier_hash, who
from tracker.questions.service import answers_read, question_labels

PERSON = ("display_name", "first_name", "last_name", "email", "phone", "title", "company", "country", "city",
          "badge_id")  # fmt: skip
HEADERS = ("Name as written", "First name", "Last name", "Email", "Phone", "Title", "Company", "Country", "City",
           "Badge id")  # fmt: skip


def person_data(
    *, sponsor, by_user, email: str = "", badge_id: str = "", event_id: int | None = None
) -> dict:
    """What ``sponsor`` holds about the person (an email, or a badge id at its event), as plain data (ISO
    times), unknown badges that carry them included; the request logged."""
    email, badge_id = email.strip().lower(), badge_id.strip()
    attendees, mentioned = who(email, badge_id, event_id)
    leads = (
        Lead.objects.filter(sponsorship__sponsor=sponsor, attendee__in=attendees)
        .select_related(
            "attendee", "sponsorship__event", "score", "follow_up__owner__user", "consent_by__user"
        )
        .prefetch_related(
            Prefetch("scans", Scan.objects.select_related("scanned_by__user").order_by("received_at", "pk")),
            Prefetch("follow_up__history", FollowUpChange.objects.order_by("changed_at", "pk")),
        )
        .order_by("pk")
    )
    unknown = Scan.objects.filter(mentioned, sponsorship__sponsor=sponsor, lead__isnull=True).order_by(
        "received_at"
    )
    data = {"sponsor": sponsor.name, "asked_by": "email" if email else "badge id",
            "leads": [_lead(lead) for lead in leads],
            "unknown_badges": [{"at": _when(s.received_at), "badge_payload": s.raw_payload, "typed": s.typed,
                                "notes": s.notes} for s in unknown]}  # fmt: skip
    kind, value = ("email", email) if email else ("badge id", badge_id)
    audit(AuditAction.EXPORT, user=by_user, sponsor_id=sponsor.pk,
          summary=f"Subject-access export for a person found by {kind}: {len(data['leads'])} lead(s)",
          identifier_sha256=identifier_hash(kind, value), leads=len(data["leads"]))  # fmt: skip
    return data


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _lead(lead: Lead) -> dict:
    a = lead.attendee
    labels = question_labels(lead.sponsorship.sponsor_id)  # the questions behind the scans' answers
    score = getattr(lead, "score", None)
    follow_up = getattr(lead, "follow_up", None)
    return {
        "event": lead.sponsorship.event.name,
        "person": {name: getattr(a, name) for name in PERSON} | {"name": attendee_name(a.display_name, a.first_name, a.last_name)},
        "consent": lead.consent, "consent_recorded_at": _when(lead.consent_recorded_at),
        "consent_how": lead.get_consent_how_display() if lead.consent_how else "",
        "consent_by": lead.consent_by.display_name if lead.consent_by else "",
        "first_scan_at": _when(lead.first_scan_at), "last_scan_at": _when(lead.last_scan_at),
        "scans": [
            {"at": _when(s.received_at), "on_device_at": _when(s.device_scanned_at),
             "by": s.scanned_by.display_name if s.scanned_by else "", "source": s.source or "booth",
             "rating": s.rating, "conversation_type": s.conversation_type, "interests": s.interests,
             "notes": s.notes, "consent": s.consent, "badge_payload": s.raw_payload, "typed": s.typed,
             "answers": _by_label(answers_read(s.answers, labels)),
             "extra": s.extra or {}, "earlier_versions": s.revisions or []}
            for s in lead.scans.all()
        ],
        "score": None if score is None else {"grade": score.grade, "score": score.score,
                                             "reasons": [r.get("reason", "") for r in score.reasons or []]},
        "follow_up": None if follow_up is None else {
            "owner": follow_up.owner.display_name if follow_up.owner else "", "status": follow_up.status,
            "due_on": _when(follow_up.due_on), "outcome": follow_up.outcome,
            "history": [{"at": _when(h.changed_at), "from": h.from_status, "to": h.to_status, "note": h.note}
                        for h in follow_up.history.all()],
        },
    }  # fmt: skip


def as_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def as_workbook(data: dict) -> bytes:
    """The data as a workbook: a sheet of the leads, one of the scans, one of follow-up history."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)

    def sheet(title: str, header: list[str], rows: list[list]) -> None:
        ws = workbook.create_sheet(title)
        ws.append(header)
        for row in rows:
            cells = []
            for value in row:
                empty = value is None or value == "" or value == {} or value == []
                text = (
                    ""
                    if empty
                    else value
                    if isinstance(value, str)
                    else json.dumps(value, ensure_ascii=False)
                )
                cell = WriteOnlyCell(ws, clean_text(text))
                cell.data_type = "s"  # text, never a formula
                cells.append(cell)
            ws.append(cells)

    leads = data["leads"]
    sheet("Leads", ["Event", *HEADERS, "Consent", "First scan", "Last scan", "Grade", "Reasons", "Follow-up", "Outcome"],
          [[lead["event"], *(lead["person"][name] for name in PERSON), lead["consent"], lead["first_scan_at"],
            lead["last_scan_at"], (lead["score"] or {}).get("grade"), "\n".join((lead["score"] or {}).get("reasons", [])),
            (lead["follow_up"] or {}).get("status"), (lead["follow_up"] or {}).get("outcome")] for lead in leads])  # fmt: skip
    sheet("Scans", ["Event", "At", "On the device at", "By", "Source", "Rating", "Conversation", "Interests", "Notes",
                    "Consent", "Badge payload", "Typed", "Answers", "Other columns"],
          [[lead["event"], s["at"], s["on_device_at"], s["by"], s["source"], s["rating"], s["conversation_type"],
            ", ".join(s["interests"] or []), s["notes"], s["consent"], s["badge_payload"], s["typed"], s["answers"], s["extra"]]
           for lead in leads for s in lead["scans"]])  # fmt: skip
    sheet("Follow-up history", ["Event", "At", "From", "To", "Note"],
          [[lead["event"], h["at"], h["from"], h["to"], h["note"]]
           for lead in leads if lead["follow_up"] for h in lead["follow_up"]["history"]])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _by_label(answers: list[tuple[str, str]]) -> dict[str, str]:
    """Answers by label, a repeated label numbered ("Removed question (2)"): none hides another."""
    shown: dict[str, str] = {}
    for label, text in answers:
        name, n = label, 1
        while name in shown:
            n += 1
            name = f"{label} ({n})"
        shown[name] = text
    return shown
