"""Storing lead scores: one statement per batch, and only the rows that changed.

``scores_store`` upserts one ``LeadScore`` per lead. A row whose stored ICP version, score, grade, reasons
and flags already equal the new ones is left untouched, ``scored_at`` included: ``scored_at`` is when the
stored result last changed, not when it was last recomputed. A new ICP version always changes ``icp``
(and the criterion ids in the reasons), so after a publish every lead's row is written and
``stale_leads`` sees it as current; rescoring under the same version (a rescan, the sweep, a redelivered
chunk) writes only the leads whose result moved, which keeps the table and its indexes from bloating.

On PostgreSQL the rows go through COPY into a temporary table, then one ``UPDATE ... FROM`` of the rows
``WHERE (...) IS DISTINCT FROM (...)`` and one ``INSERT ... SELECT`` of the missing ones (``ON CONFLICT
DO UPDATE``, should another transaction insert one meanwhile), because ``bulk_update`` writes one
``CASE`` per column per row and takes minutes at a million rows. Both statements also name the batch's
leads as one array parameter (``lead_id = ANY(%s)``): the stage table is never analysed, so the planner
guesses its size from its pages (several times too many rows) and joined a chunk by reading the whole
score table, a cost growing with the table; with the ids it reads only the batch's rows through the
unique index.
Elsewhere (SQLite), the stored rows are read, compared in Python, and the changed ones written with
``bulk_create(update_conflicts=True)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from django.db import connections, router, transaction
from django.utils import timezone

from tracker.drivercursors import int_array
from tracker.models import LeadScore
from tracker.scoring.values import Reason, Score

FIELDS = ("icp", "score", "grade", "reasons", "excluded", "existing_customer")
_STAGE = "tracker_leadscore_stage"
# Reasons as a COPY field, keyed by the ids of the Reason objects (the engine reuses them, so leads share
# a few thousand combinations; ids are cheaper to key on than hashing the Reasons). Each entry keeps its
# Reasons alive, so their ids cannot be reused by other objects while it exists. Bounded: a full cache is
# emptied.
_COPY_CACHE_LIMIT = 8_192
_copy_fields: dict[tuple[int, ...], tuple[tuple[Reason, ...], str]] = {}


class ScoreRow(NamedTuple):
    """The engine's result for one lead under one ICP version."""

    lead_id: int
    icp_id: int
    result: Score


def reasons_json(reasons: tuple[Reason, ...]) -> list[dict]:
    """The reasons as stored in ``LeadScore.reasons`` (the same as ``Score.reasons_json``)."""
    return [{"points": r.points, "reason": r.text, "criterion": r.criterion_id} for r in reasons]


def reasons_text(reasons: tuple[Reason, ...]) -> str:
    """``reasons_json`` as JSON text."""
    return json.dumps(reasons_json(reasons))


def _copy_field(reasons: tuple[Reason, ...]) -> str:
    """The reasons' JSON as a field of COPY's text format (JSON text has no tab or line break, only "\\")."""
    key = tuple(map(id, reasons))
    entry = _copy_fields.get(key)
    if entry is None:
        if len(_copy_fields) >= _COPY_CACHE_LIMIT:
            _copy_fields.clear()
        entry = _copy_fields[key] = (reasons, reasons_text(reasons).replace("\\", "\\\\"))
    return entry[1]


def scores_store(rows: Iterable[ScoreRow], *, scored_at: datetime | None = None) -> int:
    """Insert or update the ``LeadScore`` of each row's lead where it changed; returns how many were written.

    Rows for the same lead: the last one wins. Runs in one transaction (the caller's, if any).
    """
    latest = {row.lead_id: row for row in rows}
    if not latest:
        return 0
    scored_at = scored_at or timezone.now()
    alias = router.db_for_write(LeadScore)
    with transaction.atomic(using=alias, savepoint=False):
        if connections[alias].vendor == "postgresql":
            return _store_postgresql(alias, list(latest.values()), scored_at)
        return _store_portable(alias, list(latest.values()), scored_at)


def _columns() -> dict[str, str]:
    meta = LeadScore._meta
    return {name: meta.get_field(name).column for name in ("lead", *FIELDS, "scored_at")}


def _write_sql() -> tuple[str, str]:
    """Update the stored rows that differ, then insert the missing ones (or update them, if another
    transaction inserted them meanwhile); rows go in lead order, one lock order for concurrent writers."""
    table, c = LeadScore._meta.db_table, _columns()
    values = [c[name] for name in FIELDS]
    differs = (
        f"({', '.join(f'ls.{col}' for col in values)}) IS DISTINCT FROM"
        f" ({', '.join(f'new.{col}' for col in values)})"
    )
    update = (
        f"UPDATE {table} AS ls SET "
        + ", ".join(f"{col} = new.{col}" for col in values)
        + f", {c['scored_at']} = %s FROM (SELECT * FROM {_STAGE} ORDER BY lead_id) AS new"
        f" WHERE ls.{c['lead']} = new.lead_id AND ls.{c['lead']} = ANY(%s::bigint[]) AND {differs}"
    )
    insert = (
        f"INSERT INTO {table} AS ls ({c['lead']}, {', '.join(values)}, {c['scored_at']})"
        f" SELECT lead_id, icp_id, score, grade, reasons, excluded, existing_customer, %s FROM {_STAGE} new"
        f" WHERE NOT EXISTS (SELECT FROM {table} old WHERE old.{c['lead']} = new.lead_id"
        f" AND old.{c['lead']} = ANY(%s::bigint[])) ORDER BY lead_id"
        f" ON CONFLICT ({c['lead']}) DO UPDATE SET "
        + ", ".join(f"{col} = EXCLUDED.{col}" for col in (*values, c["scored_at"]))
        + " WHERE "
        + differs.replace("new.", "EXCLUDED.")
    )
    return update, insert


def _store_postgresql(alias: str, rows: list[ScoreRow], scored_at: datetime) -> int:
    update, insert = _write_sql()
    with connections[alias].cursor() as django_cursor:
        raw = django_cursor.connection  # psycopg's connection, inside Django's transaction
        with raw.cursor() as cursor:
            # Kept for the session and emptied at every commit; emptied here too, in case an earlier call
            # in the same transaction left rows in it.
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (lead_id bigint, icp_id bigint, score integer,"
                " grade varchar(1), reasons jsonb, excluded boolean, existing_customer boolean)"
                " ON COMMIT DELETE ROWS"
            )
            cursor.execute(f"DELETE FROM {_STAGE}")
            with cursor.copy(f"COPY {_STAGE} FROM STDIN") as copy:
                copy.write(
                    "".join(
                        f"{lead_id:d}\t{icp_id:d}\t{result.score:d}\t{result.grade}\t{_copy_field(result.reasons)}"
                        f"\t{'t' if result.excluded else 'f'}\t{'t' if result.existing_customer else 'f'}\n"
                        for lead_id, icp_id, result in rows
                    )
                )
            lead_ids = int_array(row.lead_id for row in rows)
            cursor.execute(update, [scored_at, lead_ids])
            written = cursor.rowcount
            if written == len(rows):  # every lead had a row (after a publish, every row changes)
                return written
            cursor.execute(insert, [scored_at, lead_ids])
            return written + cursor.rowcount


def _store_portable(alias: str, rows: list[ScoreRow], scored_at: datetime) -> int:
    stored: dict[int, tuple] = {}
    ids = [row.lead_id for row in rows]
    for start in range(0, len(ids), 900):  # SQLite's parameter limit
        stored.update(
            (lead_id, rest)
            for lead_id, *rest in LeadScore.objects.using(alias)
            .filter(lead_id__in=ids[start : start + 900])
            .values_list("lead_id", "icp_id", "score", "grade", "reasons", "excluded", "existing_customer")
        )
    changed = []
    for lead_id, icp_id, result in rows:
        reasons = reasons_json(result.reasons)
        values = [icp_id, result.score, result.grade, reasons, result.excluded, result.existing_customer]
        if stored.get(lead_id) != values:
            changed.append(
                LeadScore(
                    lead_id=lead_id,
                    icp_id=icp_id,
                    score=result.score,
                    grade=result.grade,
                    reasons=reasons,
                    excluded=result.excluded,
                    existing_customer=result.existing_customer,
                    scored_at=scored_at,
                )
            )
    LeadScore.objects.using(alias).bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["lead"],
        update_fields=[*FIELDS, "scored_at"],
        batch_size=1000,
    )
    return len(changed)
