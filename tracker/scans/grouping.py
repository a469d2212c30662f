"""Group commit: the rows of concurrent requests inserted by one statement, each request answered as before.

In a booth rush every scan POST would pay for its own INSERT, commit and round trip to the database, and
those cost more than all the rest of the request (bench/scan_ingest.py). Here, while one request's insert
is running, the requests that arrive queue their rows; when it is done, one of them (the next leader)
inserts everything queued, in one statement on its own connection, and hands each waiting request its own
outcome. Nobody waits for a timer: a request alone is inserted at once, as before.

A request is answered only once its rows are committed, so "created" still means stored. A statement that
fails is retried request by request, so one bad request never sinks the others.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


@dataclass(eq=False)
class _Request:
    rows: list[tuple]
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False  # woken to insert the queue, not with an outcome
    inserted: set | None = None
    error: BaseException | None = None


class InsertGroup:
    """Runs ``insert(rows) -> keys inserted`` for concurrent callers, grouping their rows.

    ``key(row)`` is what ``insert`` reports for a row it stored (and what makes two rows the same scan);
    a key queued by two requests at once is inserted once and reported to the first of them only.
    Callers must be in autocommit (outside ``atomic``): the leader's commit is everyone's.
    ``before_wait()`` is called by a caller about to wait for another's insert: it must not hold what the
    leader needs meanwhile (a pooled database connection).
    """

    def __init__(
        self,
        insert: Callable[[list[tuple]], set],
        key: Callable[[tuple], Hashable],
        max_rows: int = 2000,
        before_wait: Callable[[], None] = lambda: None,
    ):
        self._insert = insert
        self._key = key
        self._before_wait = before_wait
        self._max_rows = max_rows  # per statement (a request's rows are never split)
        self._lock = threading.Lock()
        self._queue: list[_Request] = []
        self._busy = False  # a leader is inserting, or has been woken to

    def insert(self, rows: list[tuple]) -> set:
        request = _Request(rows)
        with self._lock:
            self._queue.append(request)
            lead = not self._busy
            self._busy = True
        if not lead:
            self._before_wait()
            request.done.wait()
        if lead or request.lead:
            self._lead()
        if request.error is not None:
            raise request.error
        if request.inserted is None:
            raise RuntimeError("The insert this request waited for was interrupted.")
        return request.inserted

    def queued(self) -> int:
        """How many requests wait for the insert running now to finish."""
        with self._lock:
            return len(self._queue)

    def _lead(self) -> None:
        """Insert the queue (this caller's rows among it; up to ``max_rows``), then wake the next leader."""
        with self._lock:
            size, taken = 0, 0
            for request in self._queue:
                if taken and size + len(request.rows) > self._max_rows:
                    break
                size += len(request.rows)
                taken += 1
            batch, self._queue = self._queue[:taken], self._queue[taken:]
        try:
            self._insert_batch(batch)
        finally:
            with self._lock:
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].done.set()
                else:
                    self._busy = False
            for request in batch:
                request.done.set()

    def _insert_batch(self, batch: list[_Request]) -> None:
        owner: dict[Hashable, _Request] = {}
        rows = []
        for request in batch:
            for row in request.rows:
                if owner.setdefault(self._key(row), request) is request:
                    rows.append(row)
        try:
            inserted = self._insert(rows) if rows else set()
        except Exception as error:
            if len(batch) == 1:
                batch[0].error = error
                return
            for request in batch:  # one at a time: only the bad request's own rows fail
                try:
                    request.inserted = self._insert(request.rows)
                except Exception as own_error:
                    request.error = own_error
            return
        for request in batch:
            request.inserted = {
                key for key in map(self._key, request.rows) if key in inserted and owner[key] is request
            }
