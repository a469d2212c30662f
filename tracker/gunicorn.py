"""gunicorn's settings for this app: ``gunicorn -c python:tracker.gunicorn tracker.wsgi``.

Threaded workers: a request mostly waits for PostgreSQL, and the scan API inserts the scans of the
requests a worker holds at once in one statement (``tracker.scans.grouping``), which needs many requests
in one process. Environment: ``BIND`` (``0.0.0.0:8000``), ``WEB_WORKERS`` (two per core) and
``WEB_THREADS`` (16 per worker). Options given on the command line win.
"""

import gc
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", 2 * (os.cpu_count() or 1)))
threads = int(os.environ.get("WEB_THREADS", 16))
keepalive = 30  # phones at a booth post again within seconds: keep their connections


def post_worker_init(worker):
    """Leave the app's own objects, loaded by now, out of every later garbage collection.

    A full collection walks every object the process holds (Django, the URLconf, the models: most of
    them); with all of a worker's threads stopped for it, it showed as the slowest requests.
    """
    gc.freeze()
