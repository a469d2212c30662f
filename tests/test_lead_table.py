"""The lead list of a sponsorship: columns render and sort, filters narrow, queries stay fixed."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tracker.leads.tables import LeadTable

pytestmark = pytest.mark.django_db

# Noon, so that "hours ago" in the fixtures never crosses a day boundary by accident.
NOW = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
ORDERABLE = [column.name for column in LeadTable([]).columns.iterorderable() if column.name != "pk"]


@pytest.fixture
def booth():
    return f.SponsorshipFactory()


@pytest.fixture
def manager(booth):
    return f.StaffMemberFactory(sponsor=booth.sponsor, level="manager")


def make_lead(booth, *, name, score, grade, rating, hours_ago, consent=None, owner=None, **attendee):
    """A scored lead with one scan and a follow-up; ``hours_ago`` is its last scan."""
    seen = NOW - timedelta(hours=hours_ago)
    lead = f.LeadFactory(
        sponsorship=booth,
        attendee__last_name=name,
        first_scan_at=seen - timedelta(hours=1),
        last_scan_at=seen,
        consent=consent,
        **{f"attendee__{key}": value for key, value in attendee.items()},
    )
    f.ScanFactory(lead=lead, rating=rating, interests=["Kubernetes", "eBPF"] if grade == "A" else [])
    f.LeadScoreFactory(
        lead=lead, score=score, grade=grade, reasons=[{"points": score, "reason": f"why {name}"}]
    )
    f.FollowUpFactory(lead=lead, owner=owner, due_on=seen.date())
    return lead


@pytest.fixture
def leads(booth, manager):
    return [
        make_lead(
            booth,
            name="Hopper",
            score=90,
            grade="A",
            rating="hot",
            hours_ago=30,
            consent=True,
            owner=manager,
            company="Navy Systems",
            title="CTO",
            country="US",
        ),
        make_lead(
            booth,
            name="Lovelace",
            score=40,
            grade="C",
            rating="cold",
            hours_ago=2,
            consent=False,
            company="Engines Ltd",
            title="Analyst",
            country="GB",
        ),
        make_lead(booth, name="Turing", score=65, grade="B", rating="warm", hours_ago=10),
    ]


def rows(client, booth, **params):
    """The last names in the table, in order."""
    response = client.get(reverse("lead-list", args=[booth.pk]), params)
    assert response.status_code == 200
    return [row.record.attendee.last_name for row in response.context["table"].page.object_list]


@pytest.fixture
def signed_in(client, manager):
    client.force_login(manager.user)
    return client


def test_default_page_lists_the_booths_leads_with_default_columns(signed_in, booth, leads):
    f.LeadFactory(attendee__last_name="Elsewhere")  # another sponsorship's lead
    response = signed_in.get(reverse("lead-list", args=[booth.pk]))
    page = response.content.decode()
    assert sorted(rows(signed_in, booth)) == ["Hopper", "Lovelace", "Turing"]
    assert "Elsewhere" not in page
    assert leads[0].get_absolute_url() in page
    assert "<th" in page and ">Grade<" in page and ">Title<" not in page


@pytest.mark.parametrize("column", ORDERABLE)
def test_every_orderable_column_renders_and_sorts(signed_in, booth, leads, column):
    f.LeadFactory(attendee__last_name="Elsewhere")  # another sponsor's lead: filtered out by booth
    url = reverse("all-leads")
    header = str(LeadTable.base_columns[column].verbose_name)
    for sort in (column, f"-{column}"):
        response = signed_in.get(url, {"sort": sort, "columns": column, "sponsorship": booth.pk})
        assert response.status_code == 200
        assert f">{header}</a>" in response.content.decode()
        assert response.context["table"].order_by == (sort,)
        assert sorted(
            row.record.attendee.last_name for row in response.context["table"].page.object_list
        ) == [
            "Hopper",
            "Lovelace",
            "Turing",
        ]


def test_sorting_by_score_and_last_scan_is_real(signed_in, booth, leads):
    assert rows(signed_in, booth, sort="score") == ["Lovelace", "Turing", "Hopper"]
    assert rows(signed_in, booth, sort="-score") == ["Hopper", "Turing", "Lovelace"]
    assert rows(signed_in, booth, sort="last_scan_at") == ["Hopper", "Turing", "Lovelace"]
    assert rows(signed_in, booth, sort="-last_scan_at") == ["Lovelace", "Turing", "Hopper"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"grade": ["A", "B"]}, ["Hopper", "Turing"]),
        ({"rating": "cold"}, ["Lovelace"]),
        ({"q": "navy"}, ["Hopper"]),
        ({"q": "analyst engines"}, ["Lovelace"]),
        ({"q": "NAVY cto"}, ["Hopper"]),  # any case, words from different fields
        ({"q": "navy engines"}, []),  # every word must match the same lead
        ({"consent": "yes"}, ["Hopper"]),
        ({"consent": "no"}, ["Lovelace"]),
        ({"consent": "unasked"}, ["Turing"]),
        ({"interest": "ebpf"}, ["Hopper"]),
        ({"country": "gb"}, ["Lovelace"]),
        ({"status": "todo"}, ["Hopper", "Lovelace", "Turing"]),
        ({"status": "won"}, []),
    ],
)
def test_filters_narrow_the_rows(signed_in, booth, leads, params, expected):
    assert sorted(rows(signed_in, booth, **params)) == expected


def test_search_follows_an_edited_attendee(signed_in, booth, leads):
    attendee = leads[2].attendee
    attendee.company = "Bletchley Park"
    attendee.save()
    assert rows(signed_in, booth, q="bletchley") == ["Turing"]
    type(attendee).objects.filter(pk=attendee.pk).update(title="Codebreaker")  # a bulk write too
    assert rows(signed_in, booth, q="codebreaker PARK") == ["Turing"]


def test_owner_filter(signed_in, booth, leads, manager):
    assert rows(signed_in, booth, owner=manager.pk) == ["Hopper"]


def test_date_range_on_last_scan(signed_in, booth, leads):
    today, yesterday = NOW.date(), (NOW - timedelta(days=1)).date()
    assert rows(signed_in, booth, last_scan_before=yesterday.isoformat()) == ["Hopper"]
    assert sorted(rows(signed_in, booth, last_scan_after=today.isoformat())) == ["Lovelace", "Turing"]
    both_days = {"last_scan_after": yesterday.isoformat(), "last_scan_before": today.isoformat()}
    assert len(rows(signed_in, booth, **both_days)) == 3


def test_column_chooser_shows_and_hides_columns(signed_in, booth, leads):
    url = reverse("lead-list", args=[booth.pk])
    chosen = signed_in.get(url, {"columns": "title,top_reason"}).content.decode().split("<table")[1]
    assert ">Title<" in chosen and "why Hopper" in chosen and "CTO" in chosen
    assert ">Grade<" not in chosen  # the table's columns (the filters above still offer a grade)
    as_checkboxes = signed_in.get(url + "?columns=company&columns=bogus").content.decode()
    assert 'name="columns" value="company" checked' in as_checkboxes
    as_checkboxes = as_checkboxes.split("<table")[1]
    assert ">Company<" in as_checkboxes and ">Title<" not in as_checkboxes and ">Grade<" not in as_checkboxes


def count_queries(client, booth, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("lead-list", args=[booth.pk]), params)
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_page(signed_in, booth, manager):
    every_column = ",".join(LeadTable.base_columns)
    make_lead(booth, name="First", score=10, grade="D", rating="hot", hours_ago=1, owner=manager)
    make_lead(booth, name="Second", score=20, grade="D", rating="hot", hours_ago=1)
    few = count_queries(signed_in, booth, columns=every_column)
    for i in range(58):
        make_lead(booth, name=f"More{i}", score=i, grade="C", rating="warm", hours_ago=i, owner=manager)
    many = count_queries(signed_in, booth, columns=every_column)
    assert few == many
    assert count_queries(signed_in, booth, columns=every_column, grade="C", rating="warm", q="more") == many


def test_booth_staff_of_another_sponsor_get_a_404(client, booth, leads):
    intruder = f.StaffMemberFactory(level="booth")
    intruder.sponsorships.add(f.SponsorshipFactory(sponsor=intruder.sponsor, event=booth.event))
    client.force_login(intruder.user)
    assert client.get(reverse("lead-list", args=[booth.pk])).status_code == 404


def test_booth_staff_see_their_booths_leads(client, booth, leads):
    staff = f.StaffMemberFactory(sponsor=booth.sponsor, level="booth")
    staff.sponsorships.add(booth)
    client.force_login(staff.user)
    assert len(rows(client, booth)) == 3


def test_sorting_by_score_puts_unscored_leads_last_either_way(signed_in, booth, leads):
    unscored = f.LeadFactory(
        sponsorship=booth, attendee__last_name="Unscored", first_scan_at=NOW, last_scan_at=NOW
    )
    assert not hasattr(unscored, "score")
    assert rows(signed_in, booth, sort="-score") == ["Hopper", "Turing", "Lovelace", "Unscored"]
    assert rows(signed_in, booth, sort="score") == ["Lovelace", "Turing", "Hopper", "Unscored"]
    assert rows(signed_in, booth, sort="grade") == ["Hopper", "Turing", "Lovelace", "Unscored"]
    assert rows(signed_in, booth, sort="-grade") == ["Lovelace", "Turing", "Hopper", "Unscored"]


def test_paging_through_equal_scores_shows_every_lead_once(signed_in, booth):
    names = [f"Tied{i:02d}" for i in range(9)]
    for name in names:
        make_lead(booth, name=name, score=50, grade="B", rating="warm", hours_ago=5)
    seen = [
        name for page in (1, 2, 3) for name in rows(signed_in, booth, sort="-score", per_page=4, page=page)
    ]
    assert sorted(seen) == names
    # Small tables happen to come back in insertion order; what guarantees it at any size is the key.
    url = reverse("lead-list", args=[booth.pk])
    for sort, last_key in (("-score", "-pk"), ("score", "pk"), ("owner", "pk")):
        table = signed_in.get(url, {"sort": sort}).context["table"]
        assert table.data.data.query.order_by[-1] == last_key


@pytest.mark.parametrize("sort", ["-score", "score", "grade", "-grade"])
def test_pages_across_scored_and_unscored_leads_list_each_lead_once_in_order(signed_in, booth, sort):
    # Scored leads are read first and unscored ones after (two queries): a page may hold both, or only
    # unscored leads, and the whole list must still come in one order, each lead once.
    scored = [make_lead(booth, name=f"S{i}", score=10 * (i % 3), grade="CBA"[i % 3], rating="warm",
                        hours_ago=i) for i in range(5)]  # fmt: skip
    unscored = [f.LeadFactory(sponsorship=booth, attendee__last_name=f"U{i}") for i in range(4)]
    sign = -1 if sort.startswith("-") else 1

    def key(lead):  # the column's value (a grade by its letter), then the id, in the sort's direction
        value = lead.score.score if sort.endswith("score") else ord(lead.score.grade)
        return (sign * value, sign * lead.pk)

    leads = sorted(scored, key=key) + sorted(unscored, key=lambda lead: sign * lead.pk)
    expected = [lead.attendee.last_name for lead in leads]
    for per_page in (2, 4, 9):
        pages = range(1, -(-len(expected) // per_page) + 1)
        seen = [
            name for page in pages for name in rows(signed_in, booth, sort=sort, per_page=per_page, page=page)
        ]
        assert seen == expected, per_page


def test_a_huge_list_is_counted_up_to_a_cap_that_moves_with_the_page(signed_in, booth, monkeypatch):
    monkeypatch.setattr("tracker.lists.engine.COUNT_AHEAD", 3)
    for i in range(7):
        make_lead(booth, name=f"Lead{i}", score=i, grade="D", rating="cold", hours_ago=i)
    url = reverse("lead-list", args=[booth.pk])
    first = signed_in.get(url, {"per_page": 2}).content.decode()
    assert "3+ leads" in first and "Export all 3+ as" in first
    assert 'class="more"' in first  # the pagination says there are pages past the last one it numbers
    # Page 2 of 2 rows counts up to 2 + 3 = 5; page 3 up to 7, which is all of them: exact again.
    assert "5+ leads" in signed_in.get(url, {"per_page": 2, "page": 2}).content.decode()
    last = signed_in.get(url, {"per_page": 2, "page": 4})
    assert "7 leads" in last.content.decode() and 'class="more"' not in last.content.decode()
    assert len(last.context["table"].page.object_list) == 1
    monkeypatch.setattr("tracker.lists.engine.COUNT_AHEAD", 5_000)
    assert "7 leads" in signed_in.get(url).content.decode()


@pytest.mark.parametrize("sort", ["-score", "name", "-last_scan_at"])
def test_rows_render_as_django_tables2_renders_them(rf, booth, leads, manager, sort):
    """The table's own row rendering (BaseTable.body_rows) gives the cells django-tables2's would."""
    from tracker.lists.engine import configure_table
    from tracker.views.lead_list import leads_for_table

    f.LeadFactory(sponsorship=booth, attendee__last_name="Unscored <b>", consent=None)

    def body(template_name):
        request = rf.get("/", {"sort": sort})
        request.user = manager.user
        table = LeadTable(leads_for_table(manager.user), columns=list(LeadTable.base_columns))
        configure_table(request, table)
        table.template_name = template_name
        html = table.as_html(request)
        html = html[html.index("<tbody") : html.index("</tbody>")]
        return re.sub(r"\s+", " ", re.sub(r"\s*(<[^>]+>)\s*", r"\1", html)).replace("<td >", "<td>")

    ours = body("tracker/table.html")
    assert ours == body("django_tables2/table.html")
    assert "Unscored &lt;b&gt;" in ours and "<b>" not in ours


def test_an_owner_outside_the_users_sponsors_is_refused_not_applied(signed_in, booth, leads, manager):
    stranger = f.StaffMemberFactory()  # another sponsor's member
    response = signed_in.get(reverse("lead-list", args=[booth.pk]), {"owner": stranger.pk})
    assert response.context["filterset"].form.errors["owner"]
    assert f'<option value="{stranger.pk}"' not in response.content.decode()
    assert f'<option value="{manager.pk}"' in response.content.decode()


def test_the_filter_form_draws_as_the_django_template_renderer_would(rf, booth, manager):
    """Filter forms use Django's Jinja2 form renderer (speed); the fields must come out the same."""
    from django.forms.renderers import DjangoTemplates
    from django.http import QueryDict

    from tracker.leads.filters import LeadFilterSet
    from tracker.views.lead_list import leads_for_table

    query = QueryDict(
        f"grade=A&grade=B&q=a<b&owner={manager.pk}&last_scan_after=2024-03-20&last_scan_before=x"
    )

    def drawn(renderer=None):
        form = LeadFilterSet(query, queryset=leads_for_table(manager.user), user=manager.user).form
        if renderer:  # Django's own templates, the select's included
            form.renderer = renderer
            for field in form.fields.values():
                field.widget.template_name = type(field.widget).template_name
        return re.sub(r"\s+", "", form.as_div())

    ours = drawn()
    assert "tracker/forms/select.html" in {
        field.widget.template_name
        for field in LeadFilterSet(
            query, queryset=leads_for_table(manager.user), user=manager.user
        ).form.fields.values()
    }
    assert ours == drawn(DjangoTemplates())
    assert 'name="last_scan_after"value="2024-03-20"' in ours and "a&lt;b" in ours
    assert f'<optionvalue="{manager.pk}"selected>' in ours


def test_the_django_tables2_internals_the_table_engine_relies_on_are_still_there():
    """tracker/lists/engine.py reaches into django-tables2 2.x for speed; a release that moves what it
    relies on must fail here, loudly, rather than show wrong pages."""
    import django_tables2
    from django_tables2.data import TableListData, TableQuerysetData
    from django_tables2.rows import BoundRows
    from django_tables2.utils import signature

    message = (
        "tracker/lists/engine.py relies on django-tables2 2.x internals: check them before moving the pin"
    )
    assert django_tables2.__version__.startswith("2."), message
    assert isinstance(django_tables2.Table.order_by, property) and django_tables2.Table.order_by.fset, message
    queryset = f.LeadFactory._meta.model.objects.none()
    assert TableQuerysetData(queryset).data is queryset, message
    assert TableListData([1]).data == [1] and callable(BoundRows), message
    assert signature(lambda value, record: None)[0] == ("value", "record"), message


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo"])
def test_dates_and_pages_at_the_ends_of_the_calendar_are_refused_or_read_not_a_500(
    client, booth, leads, zone
):
    """West of UTC the calendar's last day runs past year 9999, east of it its first day runs before
    year 1; a page number past any integer the database holds."""
    viewer = f.StaffMemberFactory(sponsor=booth.sponsor, level="manager", time_zone=zone)
    client.force_login(viewer.user)
    for url in (reverse("lead-list", args=[booth.pk]), reverse("all-leads"), reverse("follow-up-list")):
        for params in ({"last_scan_before": "9999-12-31"}, {"last_scan_after": "0001-01-01"},
                       {"due_before": "9999-12-31"}, {"due_after": "0001-01-01"},
                       {"page": "184467440737095517"}, {"page": str(2**70)}):  # fmt: skip
            response = client.get(url, params)
            assert response.status_code == 200, (url, params)
            if (
                "page" not in params
                and (set(params) & {"last_scan_before", "last_scan_after"})
                and "lead" in url
            ):
                assert "Pick dates between 1900 and 2999" in response.content.decode()
    # A page past the end is the last page, not an error.
    last = client.get(reverse("lead-list", args=[booth.pk]), {"page": str(2**70), "per_page": 2})
    assert last.context["table"].page.number == last.context["table"].paginator.num_pages > 1
    export = client.post(reverse("export-create"), {"export": "csv", "sponsorship": booth.pk,
                                                    "filters": "last_scan_before=9999-12-31"})  # fmt: skip
    assert export.status_code in (200, 302)


def test_the_interest_filter_finds_accents_scripts_and_quotes(signed_in, booth, leads):
    """Interests are kept as JSON: the text looked for is written as the stored text writes it (SQLite keeps
    JSON in ASCII, with \\u escapes; both databases escape quotes)."""
    lead = f.LeadFactory(sponsorship=booth, attendee__last_name="Nakamura")
    f.ScanFactory(lead=lead, interests=["Sécurité réseau", "日本語のドキュメント", 'Say "hi"', "back\\slash"])
    for typed in ("Sécurité", "sécurité réseau", "日本語", '"hi"', "back\\slash"):
        assert rows(signed_in, booth, interest=typed) == ["Nakamura"], typed
    assert rows(signed_in, booth, interest="Sécurités") == []


def test_a_search_that_finds_nobody_offers_no_export(signed_in, booth, leads):
    page = signed_in.get(reverse("lead-list", args=[booth.pk]), {"q": "nobody-by-this-name"}).content.decode()
    assert "Export all" not in page and "Export these leads" not in page
    assert "Export all" in signed_in.get(reverse("lead-list", args=[booth.pk])).content.decode()


def test_a_lead_without_a_contact_time_comes_last_whichever_way_the_list_is_sorted(signed_in, booth, leads):
    """Met only in a file's rows without a time: no last scan. PostgreSQL puts NULL first in a descending
    order; the list (and the default order) put such a lead last either way."""
    f.LeadFactory(sponsorship=booth, attendee__last_name="Untimed", first_scan_at=None, last_scan_at=None)
    for params in ({}, {"sort": "-last_scan_at"}, {"sort": "last_scan_at"}, {"sort": "first_scan_at"},
                   {"sort": "-first_scan_at"}):  # fmt: skip
        names = rows(signed_in, booth, **params, columns=["name", "first_scan_at", "last_scan_at"])
        assert names[-1] == "Untimed", (params, names)
    from tracker.models import Lead

    assert (
        list(Lead.objects.filter(sponsorship=booth).values_list("attendee__last_name", flat=True))[-1]
        == "Untimed"
    )
