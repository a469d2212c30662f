"""gunicorn's settings for this app: ``gunicorn -c python:tracker.gunicorn tracker.wsgi``.

Threaded workers: a request mostly waits for PostgreSQL, and the scan API inserts the scans of the
requests a worker holds at once in one statement (``tracker.scans.grouping``), which needs many requests
in one process. Environment: ``BIND`` (``0.0.0.0:8000``), ``WEB_WORKERS`` (one per core) and
``WEB_THREADS`` (16 per worker). Options given on the command line win.

One process per core rather than two: on two cores, two workers of 16 threads kept the scan API's slowest
requests (p99) about a third lower than four did, for the same throughput (bench/scan_ingest.py).

Each worker listens on a socket of its own (``reuse_port``, SO_REUSEPORT), and the kernel spreads new
connections over them evenly. On one shared socket, whichever worker happened to be on a core took the
connections as they came: when fifty phones reconnected at once (the hall's wifi back), one worker often
got 40 to 49 of them and kept them (keep-alive), its requests queued for one core while the other idled.
The price: a second server started on the same port by mistake shares it instead of failing to start.
"""

import gc
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", os.cpu_count() or 1))
threads = int(os.environ.get("WEB_THREADS", 16))
keepalive = 30  # phones at a booth post again within seconds: keep their connections
reuse_port = True  # a listening socket per worker (see above)


def post_worker_init(worker):
    """Leave the app's own objects, loaded by now, out of every later garbage collection.

    A full collection walks every object the process holds (Django, the URLconf, the models: most of
    them); with all of a worker's threads stopped for it, it showed as the slowest requests.
    """
    gc.freeze()
