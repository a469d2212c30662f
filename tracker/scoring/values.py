"""What the scoring engine reads and returns, as plain values: an ICP version and its criteria, the
facts of a lead, a score and its reasons, and the names they use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

PARTS = ("fit", "engagement", "negative")
FIELDS = tuple(
    "seniority function company_size industry country region target_account email_domain rating "
    "conversation_type interest notes scan_count answer".split()
)
KINDS = ("in_set", "range", "keyword", "list_match")
ACTIONS = ("exclude", "penalise", "cap", "flag_customer")
GRADES = ("A", "B", "C", "D")
CAP_GRADE = "C"  # the best grade a "cap" rule leaves a lead (a student, say)
# Pseudo-values for email_domain/target_account lists: match LeadFacts.is_free_mail / is_academic.
FREE_MAIL, ACADEMIC = ":free_mail", ":academic"


@dataclass(frozen=True)
class Criterion:
    """One IcpCriterion row as plain data."""

    id: int
    part: str
    field: str
    kind: str
    label: str
    values: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    weight: int = 0
    action: str = ""
    question: int | None = None  # the question whose answer an "answer" criterion reads
    shown: tuple[str, ...] = ()  # the values as reasons show them (a closed list's labels), else as stored


@dataclass(frozen=True)
class Profile:
    """One ICP version: its criteria and grade thresholds."""

    version: int
    criteria: tuple[Criterion, ...]
    grade_a_min: int
    grade_b_min: int
    grade_c_min: int
    cap_grade: str = CAP_GRADE


@dataclass(frozen=True)
class LeadFacts:
    """Everything known about one lead, already normalised."""

    seniority: str = "unknown"
    function: str = "other"
    company_size: int | None = None
    industry: str = ""
    country: str = ""
    region: str = ""
    company_key: str = ""
    email_domain: str = ""
    is_free_mail: bool = False
    is_academic: bool = False
    account_match: str = ""
    is_customer: bool = False
    ratings: tuple[str, ...] = ()
    conversation_types: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    notes: str = ""
    scan_count: int = 1
    # Answers to the sponsor's questions, by question id: the values given (a multiple choice has several,
    # yes/no is "yes" or "no"), and the number for number questions.
    answers: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    numbers: Mapping[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Reason:
    """Points one criterion gave a lead, with the text a manager reads."""

    points: int
    text: str
    criterion_id: int | None

    def __str__(self) -> str:
        return f"{self.points:+d} {self.text}" if self.points else self.text


@dataclass(frozen=True)
class Score:
    """A lead's score, grade and the reasons that sum to the score."""

    score: int
    grade: str
    reasons: tuple[Reason, ...]
    excluded: bool
    existing_customer: bool
    version: int

    def reasons_json(self) -> list[dict]:
        """The reasons as stored in LeadScore.reasons."""
        return [{"points": r.points, "reason": r.text, "criterion": r.criterion_id} for r in self.reasons]
