"""A lead as a CRM record: the HubSpot and Salesforce layouts, shared by the CRM files and the CRM push.

Each layout is a list of ``Field``: our field, the column header of the CRM's import file, the property
the API writes by default ("" when the CRM has no standard one: sent only once a manager maps it), and
how its value is read from a lead's ``LeadFacts``. The CSV exports write ``layout_row``; a push sends
``crm_properties``, through the connection's mapping. Pure: no database, no settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from tracker.models.choices import FollowUpStatus, Rating

HUBSPOT = "hubspot"  # the values of tracker.models.crm.CrmKind
SALESFORCE = "salesforce"

HUBSPOT_LEAD_STATUS = {
    FollowUpStatus.TODO: "New",
    FollowUpStatus.CONTACTED: "Attempted to contact",
    FollowUpStatus.MEETING_BOOKED: "Connected",
    FollowUpStatus.OPPORTUNITY: "Open deal",
    FollowUpStatus.WON: "Connected",
    FollowUpStatus.LOST: "Unqualified",
    FollowUpStatus.DISQUALIFIED: "Unqualified",
    FollowUpStatus.NO_RESPONSE: "Attempted to contact",
}
SALESFORCE_LEAD_STATUS = {
    FollowUpStatus.TODO: "Open - Not Contacted",
    FollowUpStatus.CONTACTED: "Working - Contacted",
    FollowUpStatus.MEETING_BOOKED: "Working - Contacted",
    FollowUpStatus.OPPORTUNITY: "Closed - Converted",
    FollowUpStatus.WON: "Closed - Converted",
    FollowUpStatus.LOST: "Closed - Not Converted",
    FollowUpStatus.DISQUALIFIED: "Closed - Not Converted",
    FollowUpStatus.NO_RESPONSE: "Working - Contacted",
}
# Salesforce refuses a lead without a last name or company; this is its own placeholder convention.
NOT_PROVIDED = "[not provided]"
_RATINGS = dict(Rating.choices)

# HubSpot's import matches an enumeration by its label, its API only by the internal value: a field
# sent to its default property goes as the value. (Salesforce's standard picklist values are their labels.)
HUBSPOT_API_VALUES = {
    "lifecycle_stage": {"Lead": "lead"},
    "lead_status": {
        "New": "NEW",
        "Attempted to contact": "ATTEMPTED_TO_CONTACT",
        "Connected": "CONNECTED",
        "Open deal": "OPEN_DEAL",
        "Unqualified": "UNQUALIFIED",
    },
}
# A CRM property's API name: HubSpot's internal names and Salesforce's field names (``Custom__c``) alike.
PROPERTY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,99}")


@dataclass(frozen=True)
class LeadFacts:
    """What the CRM layouts read of one lead, as plain values (read by ``tracker.crm.facts``)."""

    pk: int
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""  # in E.164 where the country is known
    company: str = ""
    title: str = ""
    country: str = ""
    status: str = FollowUpStatus.TODO  # the follow-up's, TODO without one
    owner_email: str = ""
    score: int | None = None
    grade: str = ""
    event: str = ""
    rating: str = ""  # the latest staff rating, "" if none
    notes: str = ""  # the scans' notes, oldest first, joined by " / "
    # The sponsor's questions' answers as CRM properties take them (``leads_answers_typed``).
    answers: Mapping[int, object] = dataclass_field(default_factory=dict)


@dataclass(frozen=True)
class Field:
    key: str
    header: str
    property: str
    value: Callable[[LeadFacts], object]


def _salesforce_description(f: LeadFacts) -> str:
    summary = f"{f.event}. ICP grade {f.grade}, score {f.score}." if f.grade else f"{f.event}."
    return f"{summary} {f.notes}".strip()


HUBSPOT_FIELDS: tuple[Field, ...] = (
    Field("first_name", "First Name", "firstname", lambda f: f.first_name),
    Field("last_name", "Last Name", "lastname", lambda f: f.last_name),
    Field("email", "Email", "email", lambda f: f.email),
    Field("phone", "Phone Number", "phone", lambda f: f.phone),
    Field("company", "Company Name", "company", lambda f: f.company),
    Field("title", "Job Title", "jobtitle", lambda f: f.title),
    Field("country", "Country/Region", "country", lambda f: f.country),
    Field("lifecycle_stage", "Lifecycle Stage", "lifecyclestage", lambda f: "Lead"),
    Field("lead_status", "Lead Status", "hs_lead_status", lambda f: HUBSPOT_LEAD_STATUS.get(f.status, "")),
    # HubSpot's owner is a user id, its score its own: these go to properties a manager names.
    Field("owner", "Contact owner", "", lambda f: f.owner_email),
    Field("score", "Lead score", "", lambda f: f.score),
    Field("grade", "Lead grade", "", lambda f: f.grade),
    Field("event", "Event", "", lambda f: f.event),
    Field("notes", "Booth notes", "", lambda f: f.notes),
)
SALESFORCE_FIELDS: tuple[Field, ...] = (
    Field("first_name", "First Name", "FirstName", lambda f: f.first_name),
    Field("last_name", "Last Name", "LastName", lambda f: f.last_name or NOT_PROVIDED),
    Field("title", "Title", "Title", lambda f: f.title),
    Field("company", "Company", "Company", lambda f: f.company or NOT_PROVIDED),
    Field("email", "Email", "Email", lambda f: f.email),
    Field("phone", "Phone", "Phone", lambda f: f.phone),
    Field("country", "Country", "Country", lambda f: f.country),
    Field("lead_source", "Lead Source", "LeadSource", lambda f: "Trade Show"),
    Field("lead_status", "Lead Status", "Status", lambda f: SALESFORCE_LEAD_STATUS.get(f.status, "")),
    Field("rating", "Rating", "Rating", lambda f: _RATINGS.get(f.rating, "")),
    # Salesforce's owner is a user id: sent only to a field a manager names.
    Field("owner", "Lead Owner", "", lambda f: f.owner_email),
    Field("description", "Description", "Description", _salesforce_description),
)
LAYOUTS: dict[str, tuple[Field, ...]] = {HUBSPOT: HUBSPOT_FIELDS, SALESFORCE: SALESFORCE_FIELDS}


def layout_row(kind: str, facts: LeadFacts) -> tuple:
    """The lead as one row of the CRM's import file, in its columns' order."""
    return tuple(field.value(facts) for field in LAYOUTS[kind])


def external_id(lead_id: int) -> str:
    """The lead's id in a CRM: stable for the lead's life, so a second push finds the first one's record."""
    return f"booth-lead-{lead_id}"


def lead_id_of(value: str) -> int | None:
    """The lead id in an :func:`external_id`, None for anything else."""
    prefix, _, number = value.rpartition("-")
    return int(number) if prefix == "booth-lead" and number.isdigit() else None


# A mapping's key for the answer to one of the sponsor's questions: sent only to a property a manager names.
ANSWER = "answer:"


def answer_key(question_id: int) -> str:
    return f"{ANSWER}{question_id}"


def property_of(kind: str, key: str, mapping: dict) -> str:
    """Where our field ``key`` goes in the CRM under ``mapping`` ("" for nowhere)."""
    field = next(field for field in LAYOUTS[kind] if field.key == key)
    return str(mapping.get(key, field.property) or "")


def crm_properties(kind: str, facts: LeadFacts, mapping: dict) -> dict[str, object]:
    """The lead's properties as the CRM's API takes them, through ``mapping`` (our field -> property;
    a field it leaves out goes to its default property, "" nowhere). A blank value clears the property
    (HubSpot takes "", Salesforce null), so a value removed here is removed there too."""
    properties: dict[str, object] = {}
    for field in LAYOUTS[kind]:
        name = str(mapping.get(field.key, field.property) or "")
        if not name:
            continue
        value = field.value(facts)
        if kind == HUBSPOT:
            if name == field.property:
                value = HUBSPOT_API_VALUES.get(field.key, {}).get(value, value)
            properties[name] = "" if value is None else value
        else:
            properties[name] = None if value == "" else value
    for key, name in mapping.items():
        if key.startswith(ANSWER) and name and key[len(ANSWER) :].isdigit():
            value = facts.answers.get(int(key[len(ANSWER) :]), "")
            properties[str(name)] = value if kind == HUBSPOT else (value or None)
    return properties


def mapping_errors(kind: str, mapping: dict, answers: frozenset[str] = frozenset()) -> list[str]:
    """What is wrong with a mapping a manager wrote: unknown fields (``answers``: the keys of the
    sponsor's questions, see ``answer_key``), names the CRM cannot have, a property given twice."""
    keys = {field.key for field in LAYOUTS[kind]}
    errors = [f"There is no field {key!r}." for key in mapping if key not in keys and key not in answers]
    seen: set[str] = set()
    in_effect = [(f.key, f.property) for f in LAYOUTS[kind]] + [
        (key, "") for key in mapping if key in answers
    ]
    for key, default in in_effect:  # the properties in effect: the mapping's, else the defaults
        name = mapping.get(key, default)
        if not name:
            continue
        if not isinstance(name, str) or not PROPERTY_NAME.fullmatch(name):
            errors.append(f"{name!r} is not a property name (letters, digits and _, starting with a letter).")
        elif name.lower() in seen:
            errors.append(f"{name} is given to two fields.")
        seen.add(str(name).lower())
    return errors


def external_id_problem(kind: str, external: str, mapping: dict) -> str:
    """What is wrong with the property that holds a lead's external id (Salesforce upserts on it): none for
    Salesforce, a name the CRM cannot have, or one that a field of the mapping already fills ("" if
    nothing)."""
    if not external:
        return "Salesforce upserts leads by this field: name it." if kind == SALESFORCE else ""
    if not PROPERTY_NAME.fullmatch(external):
        return "Letters, digits and _ only, starting with a letter."
    taken = {str(v).lower() for v in mapping.values() if v} | {
        f.property.lower() for f in LAYOUTS[kind] if f.property and f.key not in mapping
    }
    return "This property already holds one of the fields below." if external.lower() in taken else ""
