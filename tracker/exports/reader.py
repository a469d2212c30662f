"""The one place that forks: an export's next chunk read by a child process while this one writes.

It pays on two cores (bench/exports.py measures it against reading in turn; the README's bench notes
have the figures). It forks only inside ``forked_reading()``, which the export task alone
enters; everywhere else (the web server, a test, a transaction) chunks are read in turn, in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import chain, islice
from typing import TypeVar

from django.db import connection, connections

T = TypeVar("T")
R = TypeVar("R")
_may_fork: ContextVar[bool] = ContextVar("may_fork", default=False)


@contextmanager
def forked_reading():
    """Let ``read_ahead`` fork its reader while the block runs (for the export task only)."""
    token = _may_fork.set(True)
    try:
        yield
    finally:
        _may_fork.reset(token)


def read_ahead(items: Iterable[T], read: Callable[[T], R]) -> Iterator[R]:
    """``read(item)`` for each item, in order, the next one read by another process meanwhile.

    An export alternates between the database (reading a chunk of rows and making them sheet rows) and
    writing those rows as cells; one after the other, the reading adds to the writing, and a thread
    could not overlap them (both need Python's interpreter lock). On PostgreSQL and
    outside a transaction, a reader process forked from this one (with its own database connection)
    reads and builds chunk n+1 while this one writes chunk n: the two run on two cores. Items and
    results cross a pipe, pickled. Inside a transaction (a test case, an ``atomic`` block) another
    connection cannot see what it wrote, SQLite serves small installations, and a single item leaves
    nothing to overlap: there everything is read here, one item after the other.

    A plain ``os.fork``, not ``multiprocessing.Process``: Celery's pool processes are daemons, which
    multiprocessing forbids to have children. The reader exits when this end of the pipe closes, so
    it cannot outlive its export. It forks only inside ``forked_reading()`` (the export task): never in
    a web server's worker, whose greenlets and pooled connections a fork would copy mid-flight.
    """
    items = iter(items)
    head = list(islice(items, 2))
    items = chain(head, items)
    if (
        len(head) < 2
        or not _may_fork.get()
        or connection.in_atomic_block
        or connection.vendor != "postgresql"
    ):
        for item in items:  # one item leaves nothing to overlap: no process for a small export
            yield read(item)
        return

    # Nothing of this process's database connections may be shared with the reader (both would talk
    # on one socket): closed here, reopened when next used.
    connections.close_all()
    ours, theirs = multiprocessing.Pipe()
    pid = os.fork()
    if pid == 0:  # the reader
        ours.close()
        _serve(theirs, read)  # does not return
    theirs.close()
    try:
        pending = 0
        for item in items:
            ours.send(item)
            pending += 1
            if pending > 1:
                yield _received(ours)
                pending -= 1
        for _ in range(pending):
            yield _received(ours)
    finally:
        ours.close()  # the reader's end-of-input
        os.waitpid(pid, 0)


def _serve(pipe, read: Callable) -> None:
    """The reader process: read each item received and send the result back, until the pipe closes."""
    status = 1
    try:
        while True:
            try:
                item = pipe.recv()
            except EOFError:
                break
            try:
                result = (True, read(item))
            except Exception as error:  # noqa: BLE001 - handed to the exporting process, which raises it
                result = (False, error)
            try:
                pipe.send(result)
            except Exception as error:  # an error (or rows) that cannot be pickled: said in words
                pipe.send((False, RuntimeError(f"the reader process could not send its result: {error!r}")))
        status = 0
    finally:
        connections.close_all()
        os._exit(status)  # neither this process's atexit handlers nor the exporting process's


def _received(pipe):
    done, result = pipe.recv()
    if not done:
        raise result  # the reader's own exception, its type kept
    return result
