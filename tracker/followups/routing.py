"""Who follows a lead up: a sponsor's assignment rules applied in order (pure, no ORM).

The first rule that matches and names someone available wins; a rule whose owner has left, or whose
roles have nobody active, is passed over. Round-robin gives the lead to the least loaded of the rule's
people (open follow-ups, counting those handed out in this run), ties broken by a stable order, so a
batch is shared out evenly and the same input always routes the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.models.choices import AssignmentCondition


@dataclass(frozen=True)
class Person:
    """An active staff member who can own follow-ups."""

    staff_id: int
    role: str
    name: str


@dataclass(frozen=True)
class Rule:
    condition: str
    value: str = ""
    owner_id: int | None = None
    roles: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class LeadSignals:
    """What routing needs to know about a lead."""

    region: str = ""
    conversation_types: frozenset[str] = frozenset()
    ratings: frozenset[str] = frozenset()
    account_owner_id: int | None = None


@dataclass(frozen=True)
class Routed:
    owner_id: int | None
    reason: str


@dataclass
class Router:
    """Routes leads one after another, keeping each person's load as it hands leads out."""

    rules: list[Rule]
    people: list[Person]
    load: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = {person.staff_id: person for person in self.people}

    def route(self, lead: LeadSignals) -> Routed:
        for rule in self.rules:
            if not _matches(rule, lead):
                continue
            owner_id = self._target(rule, lead)
            if owner_id is not None:
                self.load[owner_id] = self.load.get(owner_id, 0) + 1
                return Routed(owner_id, f"Assigned by rule: {rule.description}")
        return Routed(None, "No assignment rule matched: waiting for a manager")

    def _target(self, rule: Rule, lead: LeadSignals) -> int | None:
        if rule.condition == AssignmentCondition.ACCOUNT_OWNER:
            return lead.account_owner_id if lead.account_owner_id in self._by_id else None
        if rule.owner_id is not None:
            return rule.owner_id if rule.owner_id in self._by_id else None
        pool = [person for person in self.people if person.role in rule.roles]
        if not pool:
            return None
        chosen = min(pool, key=lambda person: (self.load.get(person.staff_id, 0), person.staff_id))
        return chosen.staff_id


def _matches(rule: Rule, lead: LeadSignals) -> bool:
    match rule.condition:
        case AssignmentCondition.ACCOUNT_OWNER:
            return lead.account_owner_id is not None
        case AssignmentCondition.REGION:
            return bool(lead.region) and lead.region == rule.value
        case AssignmentCondition.CONVERSATION:
            return rule.value in lead.conversation_types
        case AssignmentCondition.RATING:
            return rule.value in lead.ratings
        case AssignmentCondition.ANYONE:
            return True
    return False
