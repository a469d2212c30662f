"""The SQL of the figures' aggregates: one row of flags per lead, and the themes of scans; portable to
SQLite and PostgreSQL (window functions, CTEs; JSON arrays through ``json_each`` or
``jsonb_array_elements_text``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from tracker.analytics.stages import CONTACTED, MEETING, OPPORTUNITY
from tracker.models import FollowUp, FollowUpChange, Lead, LeadScore, Scan, StaffMember
from tracker.models.choices import ConversationType, FollowUpStatus


def _marks(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


def lead_flags(sponsorship_ids: list[int], grades: Sequence[str]) -> tuple[str, tuple]:
    """SQL of one row per lead (``f``): its sponsorship, credited role, currency, flags and amounts.

    Set-based, so it grows with the leads and scans, not with their product: one pass over the booths'
    counted scans (the first scanner's role by a window, whether any talk was more than swag), one over
    their follow-ups' history (the furthest stage each reached), then joins.
    """
    scan, staff, lead = Scan._meta.db_table, StaffMember._meta.db_table, Lead._meta.db_table
    score, follow_up, history = (
        LeadScore._meta.db_table,
        FollowUp._meta.db_table,
        FollowUpChange._meta.db_table,
    )
    booths = _marks(sponsorship_ids)
    stage_sets = (CONTACTED, MEETING, OPPORTUNITY)
    ever = ", ".join(
        f"MAX(CASE WHEN h.to_status IN ({_marks(statuses)}) THEN 1 ELSE 0 END) AS h{i}"
        for i, statuses in enumerate(stage_sets)
    )
    steps = [
        *(
            f"CASE WHEN fu.status IN ({_marks(statuses)}) OR h.h{i} = 1 THEN 1 ELSE 0 END"
            for i, statuses in enumerate(stage_sets)
        ),
        "CASE WHEN fu.status = %s THEN 1 ELSE 0 END",
    ]
    qualified = f"CASE WHEN sc.grade IN ({_marks(grades)}) THEN 1 ELSE 0 END"
    opportunity = f"fu.opportunity_amount IS NOT NULL AND ({steps[2]}) = 1"
    sql = f"""
        WITH firsts AS (
            SELECT s.lead_id,
                   FIRST_VALUE(COALESCE(m.role, '')) OVER (PARTITION BY s.lead_id ORDER BY s.received_at, s.id) AS role,
                   CASE WHEN s.conversation_type <> %s THEN 1 ELSE 0 END AS talked
            FROM {scan} s LEFT JOIN {staff} m ON m.id = s.scanned_by_id
            WHERE s.sponsorship_id IN ({booths}) AND s.discarded_at IS NULL AND s.lead_id IS NOT NULL
        ), per_lead AS (
            SELECT lead_id, MIN(role) AS role, MAX(talked) AS talked FROM firsts GROUP BY lead_id
        ), reached AS (
            SELECT h.follow_up_id, {ever}
            FROM {history} h JOIN {follow_up} hf ON hf.id = h.follow_up_id JOIN {lead} hl ON hl.id = hf.lead_id
            WHERE hl.sponsorship_id IN ({booths})
            GROUP BY h.follow_up_id
        ), steps AS (
            SELECT l.id AS pk, l.sponsorship_id, COALESCE(p.role, '') AS credited_role,
                   COALESCE(p.talked, 0) AS talked, COALESCE(fu.opportunity_currency, '') AS currency,
                   {qualified} AS q, {steps[0]} AS s0, {steps[1]} AS s1, {steps[2]} AS s2, {steps[3]} AS s3,
                   CASE WHEN {opportunity} THEN fu.opportunity_amount ELSE 0 END AS amount,
                   CASE WHEN {opportunity} AND ({steps[3]}) = 1 THEN fu.opportunity_amount ELSE 0 END AS won_amount
            FROM {lead} l
            LEFT JOIN per_lead p ON p.lead_id = l.id
            LEFT JOIN {score} sc ON sc.lead_id = l.id
            LEFT JOIN {follow_up} fu ON fu.lead_id = l.id
            LEFT JOIN reached h ON h.follow_up_id = fu.id
            WHERE l.sponsorship_id IN ({booths})
        )
        SELECT pk, sponsorship_id, credited_role, talked, currency, q, s0, s1, s2, s3,
               q * s0 AS n0, q * s1 AS n1, q * s2 AS n2, q * s3 AS n3, amount, won_amount
        FROM steps
    """
    step_params = [*CONTACTED, *MEETING, *OPPORTUNITY, FollowUpStatus.WON]
    params = (
        ConversationType.SWAG_ONLY, *sponsorship_ids,
        *CONTACTED, *MEETING, *OPPORTUNITY, *sponsorship_ids,
        *grades, *step_params,
        *step_params[len(CONTACTED) + len(MEETING):-1],  # the opportunity step, for the amount
        *step_params[len(CONTACTED) + len(MEETING):-1], FollowUpStatus.WON,  # and for the won amount
        *sponsorship_ids,
    )  # fmt: skip
    return sql, params


SUMS = "COUNT(*), SUM(q), SUM(s0), SUM(s1), SUM(s2), SUM(s3), SUM(n0), SUM(n1), SUM(n2), SUM(n3), SUM(amount), SUM(won_amount)"


def scan_themes(sponsorship_ids: list[int], per_lead: bool = False) -> tuple[str, tuple]:
    """SQL of each counted scan's themes (its interests, trimmed), or each lead's distinct themes."""
    marks = ", ".join(["%s"] * len(sponsorship_ids))
    scan = Scan._meta.db_table
    if connection.vendor == "postgresql":
        items = (
            f"FROM {scan} s CROSS JOIN LATERAL jsonb_array_elements_text("
            "CASE WHEN jsonb_typeof(s.interests) = 'array' THEN s.interests ELSE '[]'::jsonb END) AS i(value)"
        )
    else:
        items = f"FROM {scan} s, json_each(CASE WHEN json_type(s.interests) = 'array' THEN s.interests ELSE '[]' END) i"
    columns = (
        "DISTINCT s.lead_id, TRIM(i.value) AS theme"
        if per_lead
        else "s.sponsorship_id, TRIM(i.value) AS theme"
    )
    lead = " AND s.lead_id IS NOT NULL" if per_lead else ""
    sql = (
        f"SELECT {columns} {items} WHERE s.sponsorship_id IN ({marks}) AND s.discarded_at IS NULL{lead} "
        "AND TRIM(i.value) <> ''"
    )
    return sql, tuple(sponsorship_ids)
