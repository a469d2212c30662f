"""Scan ingestion under load: N concurrent clients POST scans to the app under gunicorn.

Measures scans/s and p50/p99 latency, next to the same server's throughput for a minimal endpoint
(/healthz, the floor) in the same run. Uses DATABASE_URL (PostgreSQL for real figures; SQLite
otherwise). With REDIS_URL, a Celery worker then matches the accepted scans to leads and the time it takes
to drain that backlog is reported too; without it, matching runs in-process after each commit.
With REDIS_URL, a last phase measures what booth staff wait for: the time from a scan's POST to its
lead's stored score, with the worker running, as paced clients (one scan, then --score-think seconds)
send scans of people not yet seen, with an answer to the sponsor's question.
Creates its own sponsor, booth, ICP and attendees and removes them afterwards.

    .venv/bin/python bench/scan_ingest.py --clients 50 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid

from database import ensure_database, vacuum_analyze
from harness import ROOT, django_setup

# What earlier runs deleted (their teardown) is cleared and statistics refreshed, so each run starts alike.
TABLES = ("tracker_scan", "tracker_lead", "tracker_attendee", "tracker_leadscore")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_data(attendees: int, fresh: int):
    django_setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        ensure_database()

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from tests import factories as f
    from tracker.models import Attendee, DeviceToken

    tag = uuid.uuid4().hex[:8]
    sponsorship = f.SponsorshipFactory(
        sponsor__name=f"Bench {tag}", sponsor__slug=f"bench-{tag}", event__slug=f"bench-{tag}"
    )
    staff = f.StaffMemberFactory(
        sponsor=sponsorship.sponsor, user__username=f"bench-{tag}", user__password=None
    )
    staff.sponsorships.add(sponsorship)
    Attendee.objects.bulk_create(
        Attendee(
            event=sponsorship.event, badge_id=f"B{tag}-{n:06d}", first_name="Bench", last_name=f"Visitor {n}"
        )
        for n in range(attendees)
    )
    Attendee.objects.bulk_create(  # people first seen in the score-latency phase
        Attendee(event=sponsorship.event, badge_id=f"S{tag}-{n:06d}", first_name="Fresh", last_name=f"Visitor {n}",
                 title="VP Engineering" if n % 3 == 0 else "Software Engineer")
        for n in range(fresh)
    )  # fmt: skip
    from tracker.models import Question

    question = Question.objects.create(sponsor=sponsorship.sponsor, label="Timeline", kind="single", choices=["this quarter", "later"])  # fmt: skip
    icp = f.IcpFactory(sponsor=sponsorship.sponsor, status="published", published_at=timezone.now(), grade_a_min=50, grade_b_min=30, grade_c_min=10)  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="fit", field="seniority", values=["vp", "c_level"], weight=30, label="Director or above")  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="engagement", field="rating", values=["hot"], weight=20, label="Hot")  # fmt: skip
    f.IcpCriterionFactory(icp=icp, part="engagement", field="answer", question=question, values=["this quarter"], weight=20, label="Timeline")  # fmt: skip
    _, key = DeviceToken.issue(staff=staff, name="bench device", sponsorship=sponsorship)
    vacuum_analyze(*TABLES)
    return sponsorship, staff, key, tag, question


def teardown_data(sponsorship, staff) -> None:
    from tracker.models import IcpCriterion, LeadScore

    event = sponsorship.event
    user = staff.user
    # Scores and rules protect the ICP and the questions they name: gone first.
    LeadScore.objects.filter(lead__sponsorship__sponsor=sponsorship.sponsor).delete()
    IcpCriterion.objects.filter(icp__sponsor=sponsorship.sponsor).delete()
    sponsorship.sponsor.delete()
    event.delete()
    user.delete()


async def client_loop(port, make_request, deadline, latencies, errors):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            request = make_request()
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            close = False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and value.strip().lower() == "close":
                    close = True
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = int(status_line.split()[1]) if status_line else 0
            if status not in (200, 201):
                errors.append(status)
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def paced_loop(port, make_request, deadline, think, sent):
    """One booth device: a scan, its answer awaited, then ``think`` seconds before the next; notes when
    each scan's POST started (wall clock, as the worker's scored_at is)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            client_uuid, request = make_request()
            sent[client_uuid] = time.time()
            writer.write(request)
            await writer.drain()
            await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            await asyncio.sleep(think)
    finally:
        writer.close()


def score_latency(port: int, clients: int, seconds: float, think: float, make_request, sponsorship) -> dict:
    """Seconds from each paced scan's POST to its lead's stored score: p50, p95, max, and how many."""
    from tracker.models import Scan

    sent: dict[str, float] = {}

    async def main():
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(paced_loop(port, make_request, deadline, think, sent) for _ in range(clients)))

    asyncio.run(main())
    waited = time.perf_counter()
    rows = []
    while time.perf_counter() - waited < 120:
        rows = list(
            Scan.objects.filter(sponsorship=sponsorship, client_uuid__in=list(sent)).values_list(
                "client_uuid", "lead__score__scored_at"
            )
        )
        if len(rows) == len(sent) and all(scored for _, scored in rows):
            break
        time.sleep(0.5)
    latencies = sorted(scored.timestamp() - sent[str(uuid_)] for uuid_, scored in rows if scored)
    unscored = len(sent) - len(latencies)
    if not latencies:
        return {
            "scans": len(sent),
            "unscored": unscored,
            "p50_s": float("nan"),
            "p95_s": float("nan"),
            "max_s": float("nan"),
        }
    return {
        "scans": len(sent),
        "unscored": unscored,
        "p50_s": statistics.median(latencies),
        "p95_s": latencies[max(0, int(len(latencies) * 0.95) - 1)],
        "max_s": latencies[-1],
    }


def run_load(port: int, clients: int, seconds: float, make_request) -> tuple[list[float], list[int], float]:
    """(latencies, error statuses, elapsed seconds) of ``clients`` connections sending for ``seconds``."""
    latencies: list[float] = []
    errors: list[int] = []

    async def main():
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(client_loop(port, make_request, deadline, latencies, errors) for _ in range(clients))
        )

    started = time.perf_counter()
    asyncio.run(main())
    return latencies, errors, time.perf_counter() - started


def run_interleaved(port: int, clients: int, seconds: float, rounds: int, loads: dict) -> dict[str, dict]:
    """Each named load for ``seconds`` in all, in ``rounds`` turns taken one after the other.

    This machine's speed drifts by a third within a minute; measured in alternating slices, the floor and
    the scans see the same drift, so their ratio holds still where back-to-back phases would not.
    """
    runs = {name: ([], [], 0.0) for name in loads}
    for _ in range(rounds):
        for name, make_request in loads.items():
            latencies, errors, elapsed = run_load(port, clients, seconds / rounds, make_request)
            all_latencies, all_errors, total = runs[name]
            all_latencies += latencies
            all_errors += errors
            runs[name] = (all_latencies, all_errors, total + elapsed)
    results = {}
    for name, (latencies, errors, elapsed) in runs.items():
        latencies.sort()
        results[name] = {
            "requests": len(latencies),
            "rps": len(latencies) / elapsed,
            "p50_ms": statistics.median(latencies) * 1000,
            "p90_ms": latencies[int(len(latencies) * 0.90) - 1] * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "max_ms": latencies[-1] * 1000,
            "errors": len(errors),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each measured load")
    parser.add_argument(
        "--rounds", type=int, default=5, help="turns the floor and the scans take, one after the other"
    )
    parser.add_argument(
        "--workers", type=int, help="gunicorn worker processes (default: tracker/gunicorn.py's, 1 per core)"
    )
    parser.add_argument("--attendees", type=int, default=20000, help="size of the event's attendee list")
    parser.add_argument("--batch", type=int, default=1, help="scans per request (1: one scan per POST)")
    parser.add_argument("--score-seconds", type=float, default=20.0, help="length of the score-latency phase")
    parser.add_argument(
        "--score-think", type=float, default=1.0, help="seconds each client waits between scans there"
    )
    parser.add_argument(
        "--prebuild-rate", type=int, default=4000, help="requests per second of load to build beforehand"
    )
    parser.add_argument(
        "--full-stack",
        action="store_true",
        help="device requests walk the whole middleware chain (DEVICE_API_SHORTCUT=0), to see what the shortcut buys",
    )
    args = parser.parse_args()

    fresh = int(args.clients * (args.score_seconds / max(args.score_think, 0.05) + 2) * 1.5)
    sponsorship, staff, key, tag, question = setup_data(args.attendees, fresh)
    from django.conf import settings

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    port = free_port()
    if args.workers:
        os.environ["WEB_WORKERS"] = str(args.workers)
    from tracker import gunicorn as web  # the server's settings, as the server will read them

    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "CONN_MAX_AGE": "600"}
    if args.full_stack:
        env["DEVICE_API_SHORTCUT"] = "0"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tracker.wsgi", "--config", "python:tracker.gunicorn", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    worker = None
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        host = f"127.0.0.1:{port}"
        floor_request = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
        rng = random.Random(7)
        badge_ids = [f"B{tag}-{n:06d}" for n in range(args.attendees)]

        def scan_request() -> bytes:
            scans = [
                {
                    "client_uuid": str(uuid.uuid4()),
                    "sponsorship": sponsorship.pk,
                    "raw_payload": rng.choice(badge_ids),
                    "rating": rng.choice(["hot", "warm", "cold", ""]),
                    "notes": "Benchmark scan",
                    "consent": True,
                }
                for _ in range(args.batch)
            ]
            body = json.dumps(scans[0] if args.batch == 1 else {"scans": scans}).encode()
            head = (
                f"POST /api/v1/scans/ HTTP/1.1\r\nHost: {host}\r\nAuthorization: Token {key}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            return head.encode() + body

        # Scan requests are built before the clock starts, as the floor's one request is: the load
        # generator shares the machine's cores with the server it measures.
        prebuilt = iter([scan_request() for _ in range(int((args.seconds + 2) * args.prebuild_rate))])

        def next_scan_request() -> bytes:
            return next(prebuilt, None) or scan_request()

        loads = {"floor": lambda: floor_request, "ours": next_scan_request}
        run_interleaved(port, args.clients, 2, 1, loads)  # warm-up: 2 s each
        measured = run_interleaved(port, args.clients, args.seconds, args.rounds, loads)
        floor, ours = measured["floor"], measured["ours"]
        from tracker.models import Scan

        # The worker starts once the load stops, so intake is measured on the same idle machine as
        # the floor; matching the backlog it left is timed on its own, with the tables' statistics
        # brought up to date first, as autovacuum would in time (it may be off on a bench machine).
        vacuum_analyze(*TABLES)
        if os.environ.get("REDIS_URL"):
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "tracker", "worker", "--concurrency=2", "--loglevel=warning"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        drain_started = time.perf_counter()
        while Scan.objects.pending().filter(sponsorship=sponsorship).exists():
            if time.perf_counter() - drain_started > 600:
                break
            time.sleep(0.2)
        drain_s = time.perf_counter() - drain_started
        matched = Scan.objects.filter(sponsorship=sponsorship, lead__isnull=False).count()
        scored = None
        if worker:
            fresh_ids = iter(f"S{tag}-{n:06d}" for n in range(fresh))

            def fresh_scan() -> tuple[str, bytes]:
                client_uuid = str(uuid.uuid4())
                body = json.dumps({
                    "client_uuid": client_uuid, "sponsorship": sponsorship.pk, "raw_payload": next(fresh_ids),
                    "rating": rng.choice(["hot", "warm", "cold"]), "notes": "Benchmark scan", "consent": True,
                    "answers": {str(question.pk): rng.choice(["this quarter", "later"])},
                }).encode()  # fmt: skip
                head = (
                    f"POST /api/v1/scans/ HTTP/1.1\r\nHost: {host}\r\nAuthorization: Token {key}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                )
                return client_uuid, head.encode() + body

            scored = score_latency(
                port, args.clients, args.score_seconds, args.score_think, fresh_scan, sponsorship
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if worker:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        teardown_data(sponsorship, staff)

    scans_per_s = ours["rps"] * args.batch
    print(
        f"database={vendor} clients={args.clients} workers={web.workers} ({web.worker_class}) batch={args.batch}"
    )
    print(
        f"floor  /healthz   {floor['rps']:8.0f} req/s  p50 {floor['p50_ms']:6.1f} ms  p90 {floor['p90_ms']:6.1f} ms  p99 {floor['p99_ms']:6.1f} ms  max {floor['max_ms']:6.0f} ms  errors {floor['errors']}"
    )
    print(
        f"ours   /api/v1/scans {scans_per_s:8.0f} scans/s p50 {ours['p50_ms']:6.1f} ms  p90 {ours['p90_ms']:6.1f} ms  p99 {ours['p99_ms']:6.1f} ms  max {ours['max_ms']:6.0f} ms  errors {ours['errors']}"
    )
    print(
        f"RESULT scan_ingest ours={scans_per_s:.0f} floor={floor['rps']:.0f} ratio={scans_per_s / floor['rps']:.2f} "
        f"p50_ms={ours['p50_ms']:.1f} p99_ms={ours['p99_ms']:.1f} errors={ours['errors']} clients={args.clients} db={vendor} "
        f"matched={matched} drain_s={drain_s:.1f} device_shortcut={'off' if args.full_stack else 'on'}"
        + (
            f" score_p50_s={scored['p50_s']:.2f} score_p95_s={scored['p95_s']:.2f} score_max_s={scored['max_s']:.2f}"
            f" score_scans={scored['scans']} unscored={scored['unscored']} score_think_s={args.score_think}"
            if scored
            else ""
        )
    )


if __name__ == "__main__":
    main()
