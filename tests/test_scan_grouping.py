"""Group commit of scan POSTs: concurrent requests' scans go in one statement, each answered for its own."""

import threading
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tracker.models import Scan
from tracker.scans.grouping import InsertGroup
from tracker.scans.intake import _insert_group, scans_accept


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.01)


class GatedStore:
    """A store whose first insert waits at a gate, so that other callers queue up behind it."""

    def __init__(self, refuse: str | None = None):
        self.rows: list[tuple] = []
        self.statements: list[list[tuple]] = []
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.refuse = refuse

    def insert(self, rows: list[tuple]) -> set:
        self.statements.append(list(rows))
        if len(self.statements) == 1:
            self.entered.set()
            self.gate.wait(30)
        if any(row[1] == self.refuse for row in rows):
            raise ValueError(f"refused {self.refuse}")
        stored = {row[0] for row in self.rows}
        new = [row for row in rows if row[0] not in stored]
        self.rows += new
        return {row[0] for row in new}


def run_grouped(
    store: GatedStore, first: list[tuple], queued: list[list[tuple]], max_rows=2000, before_wait=lambda: None
) -> list:
    """``first`` inserts and is held at the gate while ``queued`` requests queue; then the gate opens."""
    group = InsertGroup(store.insert, key=lambda row: row[0], max_rows=max_rows, before_wait=before_wait)
    outcomes: list = [None] * (1 + len(queued))

    def call(index, rows):
        try:
            outcomes[index] = group.insert(rows)
        except Exception as error:
            outcomes[index] = error

    threads = [threading.Thread(target=call, args=(0, first))]
    threads[0].start()
    store.entered.wait(30)
    for index, rows in enumerate(queued, start=1):
        threads.append(threading.Thread(target=call, args=(index, rows)))
        threads[-1].start()
    wait_until(lambda: group.queued() == len(queued), "every request has queued")
    store.gate.set()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_a_request_alone_is_inserted_at_once():
    store = GatedStore()
    store.gate.set()
    group = InsertGroup(store.insert, key=lambda row: row[0])

    assert group.insert([("a", "x"), ("b", "x")]) == {"a", "b"}
    assert store.statements == [[("a", "x"), ("b", "x")]]


def test_requests_arriving_during_an_insert_go_in_one_statement():
    store = GatedStore()

    outcomes = run_grouped(store, [("a", "x")], [[("b", "x")], [("c", "x"), ("d", "x")], [("e", "x")]])

    assert outcomes == [{"a"}, {"b"}, {"c", "d"}, {"e"}]
    assert len(store.statements) == 2
    assert sorted(store.statements[1]) == [("b", "x"), ("c", "x"), ("d", "x"), ("e", "x")]


def test_a_statement_takes_whole_requests_up_to_its_row_limit():
    store = GatedStore()

    outcomes = run_grouped(
        store, [("a", "x")], [[("b", "x"), ("c", "x")], [("d", "x")], [("e", "x"), ("f", "x")]], max_rows=3
    )

    assert outcomes == [{"a"}, {"b", "c"}, {"d"}, {"e", "f"}]
    assert [len(rows) for rows in store.statements] == [1, 3, 2]


def test_the_same_scan_queued_twice_is_created_for_one_request_and_a_duplicate_for_the_other():
    store = GatedStore()

    outcomes = run_grouped(store, [("a", "x")], [[("b", "x")], [("b", "x"), ("c", "x")]])

    assert outcomes == [{"a"}, {"b"}, {"c"}]
    assert store.statements[1].count(("b", "x")) == 1


def test_a_request_gives_back_what_the_leader_may_need_before_it_waits():
    """A request queued behind another's insert first lets go of its pooled database connection (the
    ``before_wait`` hook); the leader, inserting meanwhile, keeps its own."""
    store = GatedStore()
    released: list[tuple[str, bool]] = []

    def before_wait():
        released.append((threading.current_thread().name, store.gate.is_set()))

    outcomes = run_grouped(store, [("a", "x")], [[("b", "x")], [("c", "x")]], before_wait=before_wait)

    assert outcomes == [{"a"}, {"b"}, {"c"}]
    assert len(released) == 2, "each queued request, not the leader"
    assert not any(opened for _, opened in released), "before the insert they wait for has finished"
    assert len({name for name, _ in released}) == 2


def test_a_statement_that_fails_is_retried_request_by_request():
    store = GatedStore(refuse="bad")

    outcomes = run_grouped(store, [("a", "x")], [[("b", "x")], [("c", "bad")], [("d", "x")]])

    assert outcomes[0] == {"a"}
    assert outcomes[1] == {"b"}
    assert isinstance(outcomes[2], ValueError)
    assert outcomes[3] == {"d"}
    assert sorted(row[0] for row in store.rows) == ["a", "b", "d"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_scan_posts_are_inserted_together_on_postgresql():
    """Through the real intake: while one request's INSERT waits on a table lock, three more queue and are
    then stored by one INSERT statement, a scan resent among them only once."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        pytest.skip("needs DATABASE_URL on PostgreSQL: the test holds a table lock from a second connection")
    sponsorship = f.SponsorshipFactory()
    staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor)
    booths, staff_ids = {sponsorship.pk: sponsorship}, {sponsorship.sponsor_id: staff.pk}
    resent = str(uuid.uuid4())
    items = [
        {"client_uuid": str(uuid.uuid4()), "sponsorship": sponsorship.pk, "raw_payload": "B-1"},
        {"client_uuid": str(uuid.uuid4()), "sponsorship": sponsorship.pk, "raw_payload": "B-2"},
        {"client_uuid": resent, "sponsorship": sponsorship.pk, "raw_payload": "B-3"},
        {"client_uuid": resent, "sponsorship": sponsorship.pk, "raw_payload": "B-3"},
    ]
    answers: list = [None] * len(items)
    inserts: list = [None] * len(items)  # the scan INSERT statements each request's thread sent

    def post(index):
        try:
            with CaptureQueriesContext(connection) as queries:
                answers[index] = scans_accept(items=[items[index]], booths=booths, staff_ids=staff_ids)
            inserts[index] = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "tracker_scan"')]
        finally:
            connections.close_all()

    locker = connection.get_new_connection(connection.get_connection_params())
    locker.autocommit = False
    locker.execute("LOCK TABLE tracker_scan IN EXCLUSIVE MODE")
    threads = [threading.Thread(target=post, args=(0,))]
    threads[0].start()
    wait_until(
        lambda: (
            connection.cursor()
            .execute("SELECT 1 FROM pg_locks WHERE NOT granted AND relation = 'tracker_scan'::regclass")
            .fetchone()
        ),
        "the first insert waits for the lock",
    )
    for index in range(1, len(items)):
        threads.append(threading.Thread(target=post, args=(index,)))
        threads[-1].start()
    wait_until(lambda: _insert_group.queued() == 3, "three more requests have queued")
    locker.commit()
    locker.close()
    for thread in threads:
        thread.join(30)

    statuses = [answer[0][1]["status"] for answer in answers]
    assert statuses[:2] == ["created", "created"]
    assert sorted(statuses[2:]) == ["created", "duplicate"]
    assert len(inserts[0]) == 1
    grouped = [sql for sqls in inserts[1:] for sql in sqls]
    assert len(grouped) == 1, "the three queued requests were stored by one statement"
    assert grouped[0].count("ON CONFLICT") == 1 and grouped[0].count("), (") == 1  # two rows: B-2, B-3
    stored = Scan.objects.filter(sponsorship=sponsorship, scanned_by=staff)
    assert sorted(stored.values_list("raw_payload", flat=True)) == ["B-1", "B-2", "B-3"]
