"""Taking scans in: validate each item (``cleaning``), store new ones once, report every item's fate."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from datetime import datetime
from functools import lru_cache, partial

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import JSONField
from django.utils import timezone

from tracker.analytics.freshness import figures_changed
from tracker.celery import app
from tracker.drivercursors import driver_cursor
from tracker.models import Scan, Sponsorship
from tracker.models.choices import PayloadFormat
from tracker.questions.answers import QuestionSpec, answers_check, required_missing
from tracker.questions.service import booths_questions
from tracker.scans import processing
from tracker.scans.cleaning import device_time, scan_clean
from tracker.scans.grouping import InsertGroup
from tracker.scans.schemas import TYPED_FIELDS, Errors

log = logging.getLogger(__name__)


def missing_required(required: list[str], data: dict) -> list[str]:
    """The sponsor's required qualification fields that this scan leaves empty."""
    return [name for name in required if data.get(name) in (None, "", [])]


def answers_errors(specs: dict[str, QuestionSpec], sent) -> tuple[dict | None, Errors, dict[str, str]]:
    """A scan's (or correction's) ``answers`` checked against its booth's questions: (the answers in
    canonical form or None, the errors by field ("answers.<question id>"), warnings by field)."""
    checked = answers_check(specs, sent)
    errors: Errors = {
        f"answers.{key}" if key else "answers": [{"message": message, "code": "invalid"}]
        for key, message in checked.errors.items()
    }
    warnings = {f"answers.{key}": message for key, message in checked.warnings.items()}
    return checked.answers or None, errors, warnings


def questions_asked_at(taken: datetime, questions_at: datetime | None, zone, now: datetime) -> datetime:
    """Which questions a scan was asked: those of when it was taken, or of when the device's screen got
    its questions if that was earlier (a question made required since was not on the screen)."""
    shown, _ = device_time(questions_at, zone, now)
    return min(taken, shown) if shown is not None else taken


def required_errors(specs: dict[str, QuestionSpec], answers: dict | None, conversation_type: str, asked_at, sponsor) -> Errors:  # fmt: skip
    """The required questions this conversation was asked (by ``asked_at``, the phone's time) and left
    unanswered, as field errors."""
    missing = required_missing(specs.values(), answers or {}, conversation_type, asked_at)
    return {
        f"answers.{spec.key}": [
            {"message": f"{spec.label}: {sponsor} requires an answer.", "code": "required"}
        ]
        for spec in missing
    }


# The columns an intake writes, in the order of ``_scan_values``; the others (lead, processed_at) stay NULL
# until the scan is matched.
COLUMNS = (
    "sponsorship_id",
    "client_uuid",
    "scanned_by_id",
    "device_id",
    "device_scanned_at",
    "received_at",
    "raw_payload",
    "payload_format",
    "rating",
    "interests",
    "conversation_type",
    "notes",
    "consent",
    "typed",
    "answers",
)


def _scan_values(data: dict, sponsorship_id: int, scanned_by_id: int | None, now: datetime) -> tuple:
    """One clean scan as the row to insert: its values in ``COLUMNS`` order, not yet adapted to the database."""
    return (
        sponsorship_id,
        data["client_uuid"],
        scanned_by_id,
        data["device_id"],
        data["device_scanned_at"],
        now,
        data["raw_payload"],
        PayloadFormat.UNKNOWN if data["raw_payload"].strip() else PayloadFormat.MANUAL,
        data["rating"],
        data["interests"],
        data["conversation_type"],
        data["notes"],
        data["consent"],
        {name: data[name] for name in TYPED_FIELDS if data[name]},
        data["answers"] or None,
    )


def scans_accept(
    *, items: list, booths: dict[int, Sponsorship], staff_ids: dict[int, int]
) -> list[tuple[int, dict]]:
    """Store every valid new scan once; (HTTP-like status, result) per item, in the items' order.

    ``staff_ids``: the caller's staff membership id per sponsor (who scanned). One bad item never sinks the
    others. New scans are matched to leads right after commit.
    """
    now = timezone.now()
    results: list[tuple[int, dict] | None] = [None] * len(items)
    accepted: dict[tuple[int, uuid.UUID], tuple[int, tuple]] = {}
    warnings: dict[int, dict[str, str]] = {}
    questions = booths_questions(booths.values())
    for index, item in enumerate(items):
        data, errors = scan_clean(item)
        client_uuid = item.get("client_uuid") if isinstance(item, dict) else None
        if not isinstance(client_uuid, str) or len(client_uuid) > 64:
            client_uuid = None  # echoed back only as the device's own short text
        sponsorship = booths.get(data["sponsorship"]) if data else None
        if data and sponsorship is None:
            errors = {"sponsorship": [{"message": "No booth of yours has this id.", "code": "not_found"}]}
        elif data and (missing := missing_required(sponsorship.sponsor.required_scan_fields, data)):
            message = f"{sponsorship.sponsor} requires this."
            errors = {name: [{"message": message, "code": "required"}] for name in missing}
        if errors:
            status = (
                404 if "sponsorship" in errors and errors["sponsorship"][0]["code"] == "not_found" else 400
            )
            results[index] = (status, {"client_uuid": client_uuid, "status": "invalid", "errors": errors})
            continue
        key = (sponsorship.pk, data["client_uuid"])
        if key in accepted:  # the same scan twice in one batch
            results[index] = (200, {"client_uuid": str(data["client_uuid"]), "status": "duplicate"})
            continue
        data["device_scanned_at"], warning = device_time(data["device_scanned_at"], sponsorship.event.tz, now)
        specs = questions[sponsorship.pk]
        data["answers"], errors, noted = answers_errors(specs, data["answers"])
        asked_at = questions_asked_at(data["device_scanned_at"] or now, data.pop("questions_at", None), sponsorship.event.tz, now)  # fmt: skip
        errors = errors or required_errors(specs, data["answers"], data["conversation_type"], asked_at, sponsorship.sponsor)  # fmt: skip
        if errors:
            results[index] = (400, {"client_uuid": client_uuid, "status": "invalid", "errors": errors})
            continue
        if warning:
            noted["device_scanned_at"] = warning
        if noted:
            warnings[index] = noted
        scanned_by_id = staff_ids.get(sponsorship.sponsor_id)
        accepted[key] = (index, _scan_values(data, sponsorship.pk, scanned_by_id, now))

    if accepted:
        rows = [row for _, row in accepted.values()]
        in_transaction = connection.in_atomic_block
        created = scans_insert(rows) if in_transaction else _insert_group.insert(rows)
        touched = sorted({sponsorship_id for sponsorship_id, _ in created})
        figures_changed(touched)
        kick = partial(_processing_kick_robust, touched)
        if in_transaction:
            transaction.on_commit(kick)
        else:  # the group's insert has committed when it returns
            kick()
        received_at = now.isoformat()
        for key, (index, _) in accepted.items():
            client_uuid = str(key[1])
            if key in created:
                result = {"client_uuid": client_uuid, "status": "created", "received_at": received_at}
                if index in warnings:
                    result["warnings"] = warnings[index]
                results[index] = (201, result)
            else:
                results[index] = (200, {"client_uuid": client_uuid, "status": "duplicate"})
    return [result for result in results if result is not None]


def scans_insert(rows: list[tuple]) -> set[tuple[int, uuid.UUID]]:
    """Insert the scans not stored yet, in one statement; returns (sponsorship id, uuid) of those inserted.

    ``rows`` hold values in ``COLUMNS`` order. One ``INSERT ... ON CONFLICT DO NOTHING RETURNING``
    (PostgreSQL and SQLite 3.35+) both stores and tells new from resent, race-free under the unique
    constraint: the hot path of a booth rush, so the statement text and the value adapters are built once.
    """
    db = connections[DEFAULT_DB_ALIAS]  # this thread's connection, looked up once
    adapters = _adapters(db.vendor)
    params = [adapt(value) for row in rows for adapt, value in zip(adapters, row, strict=True)]
    with _insert_cursor(db) as cursor:
        cursor.execute(_insert_sql(db.vendor, len(rows)), params)
        return {
            (sponsorship_id, value if value.__class__ is uuid.UUID else uuid.UUID(value))
            for sponsorship_id, value in cursor.fetchall()
        }


@lru_cache(maxsize=64)
def _insert_sql(vendor: str, count: int) -> str:
    quote = connection.ops.quote_name
    width = len(COLUMNS)
    if vendor == "postgresql":  # numbered, as _insert_cursor's raw cursor sends them: $1, $2, ...
        rows = (
            "(" + ", ".join(f"${n}" for n in range(start + 1, start + width + 1)) + ")"
            for start in range(0, count * width, width)
        )
    else:
        rows = ("(" + ", ".join(["%s"] * width) + ")" for _ in range(count))
    return (
        f"INSERT INTO {quote(Scan._meta.db_table)} ({', '.join(quote(name) for name in COLUMNS)}) "
        f"VALUES {', '.join(rows)} "
        f"ON CONFLICT ({quote('sponsorship_id')}, {quote('client_uuid')}) DO NOTHING "
        f"RETURNING {quote('sponsorship_id')}, {quote('client_uuid')}"
    )


def _same(value):
    return value


def _json_or_null(value, encoder=None):
    return None if value is None else json.dumps(value, cls=encoder)


@lru_cache(maxsize=4)
def _adapters(vendor: str) -> tuple:
    """Per column, what turns its Python value into a database parameter.

    The fields' own ``get_db_prep_save``, except on PostgreSQL, where psycopg takes the Python value as it
    is (text, numbers, booleans, UUIDs and aware datetimes) and a JSON column takes the JSON text (psycopg
    sends text untyped, and PostgreSQL reads it as the column's ``jsonb``).
    """
    fields = {field.attname: field for field in Scan._meta.concrete_fields}

    def adapter(name: str):
        field = fields[name]
        if vendor != "postgresql":
            return partial(field.get_db_prep_save, connection=connection)
        if isinstance(field, JSONField):
            if field.null:  # None is SQL NULL (no answers), as the ORM stores it, not JSON null
                return partial(_json_or_null, encoder=field.encoder)
            return partial(json.dumps, cls=field.encoder)
        return _same

    return tuple(adapter(name) for name in COLUMNS)


def _connection_release_pooled() -> None:
    """Give this request's pooled connection back while it waits for another's insert.

    On the web server's greenlets connections come from a pool of the process (``tracker/settings.py``);
    a request waiting for the group's insert while holding one (taken to look its device up, say) could
    leave the leader none to insert with. Persistent connections (threads, no pool) are kept.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.connection is not None and getattr(db, "pool", None) is not None and not db.in_atomic_block:
        db.close()


# Scan POSTs arriving together are inserted together (group commit), each answered once its rows are stored.
_insert_group = InsertGroup(
    scans_insert, key=lambda row: (row[0], row[1]), before_wait=_connection_release_pooled
)


def _insert_cursor(db):
    """A Django cursor (wrapped and logged like any other) that sends the insert as it is written.

    Django binds parameters on the client: psycopg spells the scan's values into the statement text and
    PostgreSQL parses them back out, a cost every scan POST paid under load. The cursor is psycopg's raw
    cursor, which takes PostgreSQL's own ``$n`` placeholders: with ``%s`` psycopg parses the statement
    again for every group of more than three scans (it caches only short statements). Statements are still
    not prepared unless the database OPTIONS ask for it
    (``prepare_threshold``), so connection poolers keep working.
    """
    if db.vendor != "postgresql":
        return db.cursor()
    import psycopg

    return driver_cursor(db, psycopg.RawCursor)


# In a booth rush every request would kick processing (a Redis round trip) only to find the booth already
# kicked. So a process kicks a booth at most once per KICK_EVERY seconds; a booth that gets scans in between
# is owed one more kick, sent from a timer when the interval ends. Every committed scan is thus followed by
# a kick within KICK_EVERY seconds, which a task has not yet read past (a task releases the kick before it
# reads the pending scans).
KICK_EVERY = 0.5
_kick_lock = threading.Lock()
_kicked_at: dict[int, float] = {}  # sponsorship id -> when this process last kicked it (monotonic)
_kick_owed: set[int] = set()  # sponsorship ids with a timer set to kick them


def _processing_kick_robust(sponsorship_ids: list[int]) -> None:
    """``processing_kick`` for scans just stored: a broker that is down never fails the scans' request."""
    if not sponsorship_ids:
        return
    try:
        processing_kick(sponsorship_ids)
    except Exception:  # the periodic sweep matches these scans
        log.exception("Could not kick scan processing for sponsorships %s.", sponsorship_ids)


def processing_kick(sponsorship_ids: list[int]) -> None:
    """Have the booths' new scans matched soon (called after the intake commits)."""
    if app.conf.task_always_eager:  # no broker: matched in-process, at once
        processing.scans_process_soon(sponsorship_ids)
        return
    now = time.monotonic()
    due: list[int] = []
    owed: list[tuple[int, float]] = []
    with _kick_lock:
        if len(_kicked_at) > 10_000:  # forget booths not kicked lately
            for stale in [pk for pk, at in _kicked_at.items() if now - at >= KICK_EVERY]:
                del _kicked_at[stale]
        for sponsorship_id in sponsorship_ids:
            kicked_at = _kicked_at.get(sponsorship_id)
            if kicked_at is None or now - kicked_at >= KICK_EVERY:
                _kicked_at[sponsorship_id] = now
                due.append(sponsorship_id)
            elif sponsorship_id not in _kick_owed:
                _kick_owed.add(sponsorship_id)
                owed.append((sponsorship_id, kicked_at + KICK_EVERY - now))
    for sponsorship_id, delay in owed:
        timer = threading.Timer(delay, _kick_owed_booth, (sponsorship_id,))
        timer.daemon = True
        timer.start()
    if due:
        processing.scans_process_soon(due)


def _kick_owed_booth(sponsorship_id: int) -> None:
    with _kick_lock:
        _kick_owed.discard(sponsorship_id)
        _kicked_at[sponsorship_id] = time.monotonic()
    try:
        processing.scans_process_soon([sponsorship_id])
    except Exception:  # the broker is down: the periodic sweep matches these scans
        log.exception("Could not kick scan processing for sponsorship %s.", sponsorship_id)
