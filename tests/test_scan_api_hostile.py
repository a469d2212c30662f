"""The scan and lookup APIs under hostile and broken input: never a 5xx, and one bad item never sinks
the valid ones beside it (a phone's offline queue would resend such a batch forever).

Everything goes through the real views and the real database (SQLite in the first CI pass, PostgreSQL
in the second, where NUL and lone surrogates are what the database itself refuses).
"""

import json
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from tests import factories as f
from tracker.models import DeviceToken, Scan
from tracker.scans import schemas

pytestmark = pytest.mark.django_db
SCANS, LOOKUP = "/api/v1/scans/", "/api/v1/scans/lookup/"


@pytest.fixture
def booth():
    sponsorship = f.SponsorshipFactory(sponsor__name="Alpha Cloud", event__time_zone="America/Denver")
    staff = f.StaffMemberFactory(sponsor=sponsorship.sponsor)
    staff.sponsorships.add(sponsorship)
    return sponsorship, staff


@pytest.fixture
def staff_client(client, booth):
    client.force_login(booth[1].user)
    return client


def valid(sponsorship, /, **fields) -> dict:
    return {
        "client_uuid": str(uuid.uuid4()),
        "sponsorship": sponsorship.pk,
        "raw_payload": "KCEU24-0042",
        **fields,
    }


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    """Run what the API schedules after commit (matching scans to leads) inside each test's transaction."""
    global _capture
    _capture = django_capture_on_commit_callbacks


def post(client, url, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    with _capture(execute=True):
        return client.post(url, data=data, content_type="application/json", **headers)


def stored(item: dict) -> int:
    return Scan.objects.filter(client_uuid=item["client_uuid"]).count()


def answer(response) -> dict:
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"] == "application/json"
    return response.json()


# ---- each finding, as it was reported --------------------------------------------------------------------


@pytest.mark.parametrize("url", [SCANS, LOOKUP])
@pytest.mark.parametrize("opener, closer", [("[", "]"), ('{"a":', "}")])
def test_a_body_nested_tens_of_thousands_deep_is_a_400(staff_client, url, opener, closer):
    response = post(staff_client, url, opener * 50_000 + "1" + closer * 50_000)
    assert response.status_code == 400
    assert answer(response)["error"] == "bad_json"


def test_a_nested_value_inside_an_item_is_that_items_error(staff_client, booth):
    sponsorship, _ = booth
    deep = json.loads("[" * 900 + "]" * 900)
    good = valid(sponsorship)
    bad = valid(sponsorship, client_uuid=deep, notes=deep, rating=deep)
    body = answer(post(staff_client, SCANS, {"scans": [bad, good]}))
    assert [r["status"] for r in body["results"]] == ["invalid", "created"]
    assert set(body["results"][0]["errors"]) == {"client_uuid", "notes", "rating"}
    assert stored(good) == 1


@pytest.mark.parametrize("field", ["notes", "first_name", "company", "raw_payload", "device_id"])
@pytest.mark.parametrize("bad_text", ["\ud800", "Zoë \udfff Lefèvre", "nul\x00byte"])
def test_text_a_database_cannot_hold_is_refused_and_the_rest_of_the_batch_is_stored(
    staff_client, booth, field, bad_text
):
    sponsorship, _ = booth
    good, bad = valid(sponsorship), valid(sponsorship, **{field: bad_text})
    body = answer(post(staff_client, SCANS, {"scans": [good, bad]}))
    assert [r["status"] for r in body["results"]] == ["created", "invalid"]
    assert list(body["results"][1]["errors"]) == [field]
    assert "cannot be stored" in body["results"][1]["errors"][field][0]["message"]
    assert stored(good) == 1 and stored(bad) == 0


def test_a_lone_surrogate_among_the_interests_is_refused(staff_client, booth):
    sponsorship, _ = booth
    body = answer(post(staff_client, SCANS, {"scans": [valid(sponsorship, interests=["AI", "\ud83d"])]}))
    assert body["results"][0]["errors"]["interests"][0]["message"].startswith("Contains a lone surrogate")


@pytest.mark.parametrize(
    "fields",
    [
        {"sponsorship": [2]},
        {"sponsorship": {"id": 2}},
        {"sponsorship": 10**30},
        {"sponsorship": 2**63},
        {"sponsorship": 1.5},
        {"sponsorship": True},
        {"rating": ["hot"]},
        {"conversation_type": {"x": 1}},
        {"interests": "AI"},
        {"consent": "yes"},
        {"client_uuid": 12},
        {"device_scanned_at": 1710000000},
    ],
)
def test_a_value_of_the_wrong_shape_is_a_field_error_beside_stored_scans(staff_client, booth, fields):
    sponsorship, _ = booth
    good, bad = valid(sponsorship), valid(sponsorship, **fields)
    body = answer(post(staff_client, SCANS, {"scans": [bad, good]}))
    assert body["results"][0]["status"] == "invalid"
    assert set(body["results"][0]["errors"]) == set(fields)
    assert body["results"][1]["status"] == "created" and stored(good) == 1
    single = post(staff_client, SCANS, bad)
    assert single.status_code == 400 and answer(single)["status"] == "invalid"


@pytest.mark.parametrize(
    "fields",
    [
        {"sponsorship": [2]},
        {"sponsorship": 10**30},
        {"raw_payload": ["KCEU24-0042"]},
        {"raw_payload": {"x": 1}},
        {"email": "\ud800@x.example"},
        {"raw_payload": "x" * (schemas.TEXT_FIELDS["raw_payload"] + 1)},
        {"first_name": "n" * 121},
    ],
)
def test_the_lookup_answers_bad_fields_with_a_clear_4xx(staff_client, booth, fields):
    sponsorship, _ = booth
    response = post(
        staff_client, LOOKUP, {"sponsorship": sponsorship.pk, "raw_payload": "KCEU24-1", **fields}
    )
    assert response.status_code in (400, 404)
    body = answer(response)
    if response.status_code == 400:
        assert set(body["errors"]) == set(fields) - {"sponsorship"}


@pytest.mark.parametrize(
    "sent",
    [
        "9999-12-31T23:59:59-12:00",
        "0001-01-01T00:00:00+14:00",
        "1970-01-01T00:00:00Z",
        "2199-01-01T00:00:00+00:00",
    ],
)
def test_a_device_clock_at_the_edge_of_the_calendar_keeps_the_scan_and_says_so(staff_client, booth, sent):
    sponsorship, _ = booth
    item = valid(sponsorship, device_scanned_at=sent)
    response = post(staff_client, SCANS, {"scans": [item]})
    result = answer(response)["results"][0]
    assert result["status"] == "created"
    assert "cannot be right" in result["warnings"]["device_scanned_at"]
    scan = Scan.objects.get(client_uuid=item["client_uuid"])
    assert scan.device_scanned_at is None and scan.received_at is not None


def test_a_device_time_without_a_zone_is_taken_in_the_events_zone_and_the_answer_says_which(
    staff_client, booth
):
    sponsorship, _ = booth  # the event is in Denver, 6 or 7 hours west of UTC
    item = valid(sponsorship, device_scanned_at="2024-11-12T23:30:00")
    result = answer(post(staff_client, SCANS, {"scans": [item]}))["results"][0]
    assert "America/Denver" in result["warnings"]["device_scanned_at"]
    scan = Scan.objects.get(client_uuid=item["client_uuid"])
    assert scan.device_scanned_at == datetime(2024, 11, 12, 23, 30, tzinfo=ZoneInfo("America/Denver"))


def test_a_device_time_with_its_zone_is_kept_as_sent_without_a_warning(staff_client, booth):
    sponsorship, _ = booth
    item = valid(sponsorship, device_scanned_at="2024-11-13T06:30:00+00:00")
    result = answer(post(staff_client, SCANS, {"scans": [item]}))["results"][0]
    assert "warnings" not in result
    assert Scan.objects.get(client_uuid=item["client_uuid"]).device_scanned_at.isoformat() == (
        "2024-11-13T06:30:00+00:00"
    )


def test_a_vcard_with_a_large_photo_is_stored_without_the_photo(staff_client, booth):
    sponsorship, _ = booth
    photo = "PHOTO;ENCODING=b;TYPE=JPEG:" + "".join("\r\n " + "QUJD" * 18 for _ in range(600))
    card = (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Big Photo\r\n{photo}\r\nEMAIL:big@photo.example\r\nEND:VCARD\r\n"
    )
    assert len(card) > schemas.TEXT_FIELDS["raw_payload"]
    item = valid(sponsorship, raw_payload=card)
    assert answer(post(staff_client, SCANS, item))["status"] == "created"
    scan = Scan.objects.select_related("lead__attendee").get(client_uuid=item["client_uuid"])
    assert "PHOTO" not in scan.raw_payload and "EMAIL:big@photo.example" in scan.raw_payload
    assert scan.lead.attendee.email == "big@photo.example"


def test_a_device_gets_the_same_answers(booth, client):
    sponsorship, staff = booth
    _, key = DeviceToken.issue(staff=staff, name="kiosk", sponsorship=sponsorship)
    good, bad = valid(sponsorship), valid(sponsorship, sponsorship=[sponsorship.pk], notes="\x00")
    body = answer(post(client, SCANS, {"scans": [good, bad]}, HTTP_AUTHORIZATION=f"Token {key}"))
    assert [r["status"] for r in body["results"]] == ["created", "invalid"]
    assert set(body["results"][1]["errors"]) == {"sponsorship", "notes"}


# ---- arbitrary JSON everywhere ---------------------------------------------------------------------------

# Every character, lone surrogates and NUL included, and the strings that broke things before.
any_text = st.text(st.characters(blacklist_categories=()), max_size=40) | st.sampled_from(
    ["\ud800", "\x00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "2024-03-20T10:00:00",
     "1" * 30, "hot", "demo", "", " ", "=cmd|' /C calc'!A0", str(uuid.UUID(int=1))]
)  # fmt: skip
any_number = st.integers(min_value=-(2**80), max_value=2**80) | st.floats(
    allow_nan=False, allow_infinity=False
)
json_values = st.recursive(
    st.none() | st.booleans() | any_number | any_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(any_text, children, max_size=3),
    max_leaves=8,
)
ITEM_FIELDS = (
    "client_uuid", "sponsorship", "device_scanned_at", "questions_at", "consent", "interests", "answers", *schemas.TEXT_FIELDS, *schemas.CHOICES
)  # fmt: skip


def test_the_property_tests_cover_every_field_an_item_is_read_for():
    assert set(ITEM_FIELDS) == set(schemas.ScanIn.model_fields), "ITEM_FIELDS and the scan's schema differ"


@st.composite
def hostile_items(draw, sponsorship_id: int) -> dict:
    item = {"client_uuid": str(uuid.uuid4()), "sponsorship": sponsorship_id, "raw_payload": "KCEU24-7"}
    for name in draw(st.sets(st.sampled_from(ITEM_FIELDS), min_size=1, max_size=4)):
        item[name] = draw(json_values)
    return item


@given(data=st.data())
def test_a_batch_of_arbitrary_items_stores_every_valid_one_exactly_once(staff_client, booth, data):
    sponsorship, _ = booth
    hostile = data.draw(st.lists(hostile_items(sponsorship.pk), min_size=1, max_size=4))
    typed = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
    good = [valid(sponsorship, notes=data.draw(typed)) for _ in range(2)]
    batch = data.draw(st.permutations([*hostile, *good]))
    for _ in range(2):  # sent, then resent by a queue that never heard back
        response = post(staff_client, SCANS, {"scans": batch})
        assert response.status_code == 200, response.content[:300]
        results = answer(response)["results"]
        assert len(results) == len(batch)
        assert all(r["status"] in ("created", "duplicate", "invalid") for r in results)
        for item in good:
            assert results[batch.index(item)]["status"] in ("created", "duplicate")
            assert stored(item) == 1


@given(body=json_values | st.fixed_dictionaries({"scans": json_values}))
@example(body="\ud800")
@example(body={"scans": [{"raw_payload": "\ud800"}]})
def test_any_body_at_the_scan_api_gets_a_clear_json_answer(staff_client, body):
    # Encoded here, as a client would send it: a bare JSON string (even a lone surrogate, "\ud800")
    # is a valid body, which ``post`` would otherwise send as raw text.
    answer(post(staff_client, SCANS, json.dumps(body)))


@given(
    # Every field the lookup reads: the badge's and the qualify card's (for the grade preview).
    fields=st.dictionaries(st.sampled_from(sorted(schemas.LookupIn.model_fields)), json_values, max_size=5)
)
def test_any_body_at_the_lookup_gets_a_clear_json_answer(staff_client, booth, fields):
    response = post(staff_client, LOOKUP, {"sponsorship": booth[0].pk, **fields})
    assert response.status_code in (200, 400, 404)
    answer(response)


def test_a_scan_of_another_sponsors_booth_is_not_found_whatever_shape_its_id(staff_client, booth):
    other = f.SponsorshipFactory(sponsor__name="Beta Mesh")
    for shaped in (other.pk, str(other.pk), f" {other.pk} "):
        item = valid(booth[0], sponsorship=shaped)
        body = answer(post(staff_client, SCANS, {"scans": [item]}))
        assert body["results"][0]["errors"]["sponsorship"][0]["code"] == "not_found"
    assert not Scan.objects.filter(sponsorship=other).exists()
    assert reverse("api:scans") == SCANS


@pytest.mark.parametrize(
    "item, field, message",
    [
        ({"sponsorship": 1, "raw_payload": "KC-1"}, "client_uuid", "A client_uuid (UUID) is required."),
        ({"client_uuid": str(uuid.uuid4()), "raw_payload": "KC-1"}, "sponsorship", "The booth's sponsorship id (a positive integer) is required."),
        ({}, "client_uuid", "A client_uuid (UUID) is required."),
        ([], "__all__", "Each scan is a JSON object."),
    ],
)  # fmt: skip
def test_a_field_left_out_is_named_in_words_a_device_developer_can_act_on(staff_client, item, field, message):
    response = post(staff_client, SCANS, {"scans": [item]})
    result = answer(response)["results"][0]
    assert result["status"] == "invalid"
    assert result["errors"][field][0]["message"] == message
    assert result["errors"][field][0]["code"] in ("required", "invalid")
