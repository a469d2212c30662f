"""The figures pages with a big event: a booth's ROI page and its sponsor's portfolio, against the bare SQL
of the same aggregates.

OURS is the whole Django request through ``django.test.Client`` (middleware, session, scoping, the
figures of ``tracker.analytics.roi``, the charts, the template), signed in as a manager of the sponsor,
with the figures cache on (``tracker.analytics.freshness``; Redis when ``REDIS_URL`` is set, else this
process's memory) and the figures unchanged since the last view, as when a manager comes back to the page.
FLOOR, in the same run and on the same connection: every SQL statement a request that computes the
figures afresh sends (recorded with ``connection.execute_wrapper``), executed with a raw psycopg cursor
and fetched, without Django around it. Ours and the floor alternate, request by request.

Also reported: ``cold`` requests (every cached figure forgotten first, as after a new exchange rate: the
figures computed from the database, as slow as their SQL) and, for the portfolio, requests after the
sponsor's other booth changed (a scan came in there: only that booth's figures are computed again).

The data set is ``bench/lead_list.py``'s (``--scans`` scans: sponsor A has a booth at a big event with 80%
of them and at a smaller one, sponsor B exhibits at the big event), reused while its marker row matches;
this bench adds to it what the figures also read: the booth's cost lines in two currencies, a stored rate,
and a follow-up history (each follow-up past "to do" was contacted two days after the lead's first scan).
Needs PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_analytics_bench \\
        .venv/bin/python bench/analytics.py --scans 1000000

Ends with one line:
RESULT analytics ours=<worst p95 ms> floor=<its floor's p95 ms> ratio=<ours/floor> roi_p95_ms=<..>
portfolio_p95_ms=<..> ... scans=<n> leads=<n>
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date
from decimal import Decimal

import lead_list
from harness import logger, wait_quiet

log = logger("analytics")


def add_figures_inputs(info: dict) -> None:
    """Cost lines, a rate and follow-up history for the data set (once: kept with it)."""
    from django.db import connection

    from tracker.models import CostLine, CurrencyRate, FollowUpChange, Sponsorship

    booth = Sponsorship.objects.select_related("event").get(pk=info["booth"])
    if CostLine.objects.filter(sponsorship=booth).exists():
        return
    CurrencyRate.objects.get_or_create(source="USD", target="EUR", valid_on=date(2020, 1, 1),
                                       defaults={"rate": Decimal("0.92")})  # fmt: skip
    for sponsorship in Sponsorship.objects.filter(sponsor=booth.sponsor):
        CostLine.objects.create(
            sponsorship=sponsorship, category="fee", amount=Decimal("150000"), currency="EUR"
        )
        CostLine.objects.create(
            sponsorship=sponsorship, category="travel", amount=Decimal("24000"), currency="USD"
        )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FollowUpChange._meta.db_table} (follow_up_id, changed_at, from_status, to_status, note) "
            "SELECT f.id, l.first_scan_at + interval '2 days', 'todo', 'contacted', '' "
            "FROM tracker_followup f JOIN tracker_lead l ON l.id = f.lead_id "
            "WHERE f.status <> 'todo' AND l.first_scan_at IS NOT NULL"
        )
        cursor.execute(f"ANALYZE {FollowUpChange._meta.db_table}")
    log(f"follow-up history added ({time.perf_counter() - started:.1f}s)")


def _timed(client, url: str, before=None) -> float:
    """Milliseconds of one request (``before`` runs first, untimed)."""
    if before is not None:
        before()
    started = time.perf_counter()
    assert client.get(url).status_code == 200
    return (time.perf_counter() - started) * 1000


def measure(args, info: dict) -> list[dict]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from tracker.analytics.freshness import figures_changed, forget_everything
    from tracker.models import Sponsorship

    booth = Sponsorship.objects.get(pk=info["booth"])
    other = Sponsorship.objects.filter(sponsor=booth.sponsor).exclude(pk=booth.pk).first()
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=lead_list.MANAGER))
    pages = [("roi", reverse("sponsorship-roi", args=[booth.pk])),
             ("portfolio", reverse("sponsor-portfolio", args=[booth.sponsor_id]))]  # fmt: skip
    results = []
    for name, url in pages:
        recorded: list[tuple[str, object]] = []

        def record(execute, sql, params, many, context, recorded=recorded):
            recorded.append((sql, params))
            return execute(sql, params, many, context)

        forget_everything()
        with connection.execute_wrapper(record):  # computed afresh: the floor is the SQL of the figures
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {url} answered {response.status_code}")
        raw = connection.connection

        def floor(queries=tuple(recorded), raw=raw) -> None:
            with raw.cursor() as cursor:
                for sql, params in queries:
                    cursor.execute(sql, params)
                    if cursor.description:
                        cursor.fetchall()

        if not args.no_wait:
            wait_quiet(log, busy_only=True)
        ours_ms, floor_ms = [], []
        for i in range(args.warmup + args.requests):
            spent = _timed(client, url)  # the figures unchanged since the last view: from the cache
            started = time.perf_counter()
            floor()
            floor_spent = (time.perf_counter() - started) * 1000
            if i >= args.warmup:
                ours_ms.append(spent)
                floor_ms.append(floor_spent)
        # Every figure forgotten before each request (a rate changed, say): computed from the database.
        cold_ms = [_timed(client, url, forget_everything) for _ in range(args.cold_requests)]
        # The sponsor's other booth changed (a scan came in): only its figures are computed again.
        other_ms = [_timed(client, url, lambda: figures_changed([other.pk])) for _ in range(args.requests)]
        results.append({"page": name, "queries": len(recorded), "p95_ms": lead_list.p95(ours_ms),
                        "median_ms": statistics.median(ours_ms), "floor_p95_ms": lead_list.p95(floor_ms),
                        "floor_median_ms": statistics.median(floor_ms), "cold_p95_ms": lead_list.p95(cold_ms),
                        "other_changed_p95_ms": lead_list.p95(other_ms)})  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    lead_list.dataset_arguments(parser)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--cold-requests", type=int, default=5,
                        help="requests per page with every cached figure forgotten first")  # fmt: skip
    args = parser.parse_args()
    # The figures cache on, as with REDIS_URL in production (Redis if REDIS_URL is set, else this process's).
    os.environ.setdefault("FIGURES_CACHE_SECONDS", "600")
    info = lead_list.open_dataset(args, "analytics", "tracker_analytics_bench", log)
    add_figures_inputs(info)
    results = measure(args, info)
    for r in results:
        print(f"page {r['page']} queries={r['queries']} median_ms={r['median_ms']:.1f} p95_ms={r['p95_ms']:.1f} "
              f"floor_median_ms={r['floor_median_ms']:.1f} floor_p95_ms={r['floor_p95_ms']:.1f} "
              f"cold_p95_ms={r['cold_p95_ms']:.1f} other_changed_p95_ms={r['other_changed_p95_ms']:.1f}")  # fmt: skip
    worst = max(results, key=lambda r: r["p95_ms"])
    by_page = {r["page"]: r for r in results}
    print(
        f"RESULT analytics ours={worst['p95_ms']:.1f} floor={worst['floor_p95_ms']:.1f} "
        f"ratio={worst['p95_ms'] / worst['floor_p95_ms']:.2f} roi_p95_ms={by_page['roi']['p95_ms']:.1f} "
        f"portfolio_p95_ms={by_page['portfolio']['p95_ms']:.1f} worst={worst['page']} "
        f"roi_cold_p95_ms={by_page['roi']['cold_p95_ms']:.1f} "
        f"portfolio_cold_p95_ms={by_page['portfolio']['cold_p95_ms']:.1f} "
        f"portfolio_other_changed_p95_ms={by_page['portfolio']['other_changed_p95_ms']:.1f} "
        f"scans={info['scans']} leads={info['leads']} db=postgresql",
        flush=True,
    )


if __name__ == "__main__":
    main()
