"""The lead lists run a fixed number of queries, whatever the page size, the sort, the filters or the user.

A query per row (a column reaching a relation that is not joined) or per column would make a page of
a big event slow; bench/lead_list.py measures the page itself.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from tracker.followups.tables import FollowUpTable
from tracker.leads.tables import LeadTable

pytestmark = pytest.mark.django_db

EVERY_COLUMN = ",".join(name for name in LeadTable.base_columns if name != "pk")
ORDERABLE = [column.name for column in LeadTable([]).columns.iterorderable() if column.name != "pk"]
# Session, user, access, booth, the table's count and rows, the filter and bulk forms' choices: a bound
# with some slack, so that a query added per column or per filter is noticed too.
MOST_QUERIES = 15


@pytest.fixture
def booth():
    return f.SponsorshipFactory()


@pytest.fixture
def manager(booth):
    return f.StaffMemberFactory(sponsor=booth.sponsor, level="manager")


@pytest.fixture
def rep(booth):
    """Booth staff on another booth of the sponsor, who owns follow-ups of this booth's leads."""
    member = f.StaffMemberFactory(sponsor=booth.sponsor, level="booth")
    member.sponsorships.add(f.SponsorshipFactory(sponsor=booth.sponsor))
    return member


def add_leads(booth, owner, count: int, start: int = 0) -> None:
    """Leads with everything a row can show: two scans, a score, a follow-up with an owner."""
    for n in range(start, start + count):
        lead = f.LeadFactory(sponsorship=booth, attendee__company=f"Labs {n}", attendee__country="DE")
        f.ScanFactory(lead=lead, rating="warm", interests=["eBPF"])
        f.ScanFactory(lead=lead, rating="hot", conversation_type="demo")
        f.LeadScoreFactory(lead=lead, score=n, grade="AB"[n % 2], reasons=[{"points": n, "reason": "why"}])
        f.FollowUpFactory(lead=lead, owner=owner)


def page(client, url: str, **params) -> tuple[int, int]:
    """(queries, rows shown) of one request for the page."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"columns": EVERY_COLUMN, **params})
    assert response.status_code == 200
    return len(captured), len(response.context["table"].page.object_list)


def urls(booth) -> list[str]:
    return [reverse("lead-list", args=[booth.pk]), reverse("all-leads")]


@pytest.mark.parametrize("who", ["manager", "rep"])
def test_the_same_queries_for_a_page_of_2_rows_or_of_60(client, booth, manager, rep, who):
    user = manager if who == "manager" else rep
    client.force_login(user.user)
    add_leads(booth, rep, 3)
    url = reverse("all-leads") if who == "rep" else reverse("lead-list", args=[booth.pk])
    few, shown = page(client, url, per_page=2)
    assert shown == 2
    add_leads(booth, rep, 57, start=3)
    assert page(client, url, per_page=100) == (few, 60)
    assert page(client, url, per_page=5) == (few, 5)
    assert page(client, url) == (few, 50)
    assert few <= MOST_QUERIES


def test_sorting_and_filtering_add_no_queries(client, booth, manager, rep):
    client.force_login(manager.user)
    add_leads(booth, rep, 12)
    for url in urls(booth):
        baseline, _ = page(client, url, per_page=10)
        assert baseline <= MOST_QUERIES
        for column in ORDERABLE:
            for sort in (column, f"-{column}"):
                assert page(client, url, per_page=10, sort=sort) == (baseline, 10), sort
        filtered = {"grade": ["A", "B"], "rating": "hot", "q": "labs", "status": "todo", "region": "EU",
                    "conversation_type": "demo", "interest": "ebpf", "consent": "unasked"}  # fmt: skip
        assert page(client, url, per_page=10, sort="-score", **filtered) == (baseline, 10)
        # A chosen owner is validated against the staff list the form shows anyway: no query of its own.
        assert page(client, url, per_page=10, sort="name", owner=rep.pk, **filtered) == (baseline, 10)


@pytest.mark.parametrize(
    ("url_name", "table"),
    [("all-leads", LeadTable), ("follow-up-list", FollowUpTable)],
    ids=["leads", "follow-ups"],
)
def test_each_column_shown_alone_reads_its_rows_without_a_query_per_row(
    client, booth, manager, rep, url_name, table
):
    # The page joins only what the shown columns read (row_joins): a column missing from it would cost a
    # query per row, and showing it alone is how that would be noticed.
    client.force_login(manager.user)
    add_leads(booth, rep, 12)
    url = reverse(url_name)
    for column in (name for name in table.base_columns if name != "pk"):
        few, _ = page(client, url, per_page=2, columns=column)
        assert page(client, url, per_page=10, columns=column) == (few, 10), column
        assert few <= MOST_QUERIES, column
