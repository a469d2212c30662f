"""gunicorn's settings for this app: ``gunicorn -c python:tracker.gunicorn tracker.wsgi``.

gevent workers: each client connection is served by a greenlet, and a request waiting for PostgreSQL
lets the others run. In a booth rush every scan POST waits for the commit of the group insert
(``tracker.scans.grouping``), which needs many requests in one process. With threads (the gthread
worker) those waits made every thread take turns at the interpreter lock after each one, and half the
machine went to handing it over or sat idle (the README's bench notes have the figures). Greenlets share
a pool of database connections per process (``tracker/settings.py``) rather than holding one each.

The price of greenlets: a request that computes for long without touching the network (a large
workbook written inline) holds up the other requests of its worker until it is done. Large exports go
to Celery workers (``EXPORT_INLINE_ROWS``).

Environment: ``BIND`` (``0.0.0.0:8000``), ``WEB_WORKERS`` (one per core) and ``WEB_CONNECTIONS``
(client connections per worker, 1000). Options given on the command line win.

Each worker listens on a socket of its own (``reuse_port``, SO_REUSEPORT), and the kernel spreads new
connections over them evenly. On one shared socket, whichever worker happened to be on a core took the
connections as they came: when fifty phones reconnected at once (the hall's wifi back), one worker often
got 40 to 49 of them and kept them (keep-alive), its requests queued for one core while the other idled.
The price: a second server started on the same port by mistake shares it instead of failing to start.
"""

import gc
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
worker_class = "gevent"
workers = int(os.environ.get("WEB_WORKERS", os.cpu_count() or 1))
worker_connections = int(os.environ.get("WEB_CONNECTIONS", 1000))
keepalive = 30  # phones at a booth post again within seconds: keep their connections
# A stopping gevent worker waits for every connection it holds, and an idle kept-alive one ends only with
# its keepalive: a restart took 30 s, with no server listening meanwhile. Requests still running after
# 10 s are cut; a phone whose scan was cut sends it again, and a resent scan is never stored twice.
graceful_timeout = 10
reuse_port = True  # a listening socket per worker (see above)


def post_worker_init(worker):
    """Leave the app's own objects, loaded by now, out of every later garbage collection.

    A full collection walks every object the process holds (Django, the URLconf, the models: most of
    them); with all of a worker's requests stopped for it, it showed as the slowest requests.
    """
    gc.freeze()
