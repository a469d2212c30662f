"""The demo sponsors' own qualifying questions, the answers booth staff gave, and ICP rules on them.

Drawn after the scans from a generator of its own, so adding them changed no other section's data.
"""

from __future__ import annotations

import random

from tracker.demo.pools import Record, record

# (label, kind, choices, required, conversation types), the questions booth teams ask most.
QUESTIONS: list[tuple[str, str, list[str], bool, list[str]]] = [
    ("Timeline", "single", ["this quarter", "this year", "next year", "just looking"], False, []),
    ("Cloud provider", "multiple", ["AWS", "Google Cloud", "Azure", "On-premises", "Other"], False,
     ["demo", "technical_deep_dive", "partner"]),
    ("Budget owner?", "yes_no", [], False, ["demo", "technical_deep_dive"]),
    ("How many clusters?", "number", [], False, ["technical_deep_dive"]),
]  # fmt: skip
TIMELINE_WEIGHTS = {
    "hot": [45, 35, 15, 5],
    "warm": [15, 40, 30, 15],
    "cold": [3, 15, 32, 50],
    "": [5, 20, 30, 45],
}
ANSWERED = {
    "demo": 0.85,
    "technical_deep_dive": 0.9,
    "partner": 0.6,
    "hiring": 0.2,
    "press": 0.2,
    "swag_only": 0.1,
}


def question_records(sponsors: list[Record], icps: list[Record]) -> list[Record]:
    """Every sponsor with a published ICP (a booth) asks the same four questions at all its booths."""
    with_icp = sorted({icp["fields"]["sponsor"] for icp in icps})
    records: list[Record] = []
    for sponsor in with_icp:
        for position, (label, kind, choices, required, conversations) in enumerate(QUESTIONS, 1):
            records.append(record(
                "question", len(records) + 1, sponsor=sponsor, sponsorship=None, label=label, kind=kind,
                choices=choices, required=required, conversation_types=conversations, position=position,
                created_at=icps[0]["fields"]["created_at"], archived_at=None,
            ))  # fmt: skip
    return records


def _asked(question: Record, conversation: str) -> bool:
    types = question["fields"]["conversation_types"]
    return not types or conversation in types


def answer_scans(rng: random.Random, scans: list[Record], sponsorships: list[Record], questions: list[Record]) -> None:  # fmt: skip
    """Answers on the scans of known people, as staff tapped them (in place): most demos and deep-dives
    answered, few swag grabs; a hot conversation more often "this quarter"."""
    sponsor_of = {s["pk"]: s["fields"]["sponsor"] for s in sponsorships}
    asked: dict[int, list[Record]] = {}
    for question in questions:
        asked.setdefault(question["fields"]["sponsor"], []).append(question)
    for scan in scans:
        f = scan["fields"]
        kind = f["conversation_type"]
        if f["payload_format"] == "unknown" or rng.random() >= ANSWERED.get(kind, 0.3):
            continue
        answers = {}
        for question in asked.get(sponsor_of[f["sponsorship"]], []):
            q = question["fields"]
            if not _asked(question, kind) or rng.random() < 0.15:
                continue
            if q["kind"] == "single":
                answers[str(question["pk"])] = rng.choices(q["choices"], weights=TIMELINE_WEIGHTS.get(f["rating"], TIMELINE_WEIGHTS[""]))[0]  # fmt: skip
            elif q["kind"] == "multiple":
                answers[str(question["pk"])] = rng.sample(q["choices"][:4], rng.choice([1, 1, 2]))
            elif q["kind"] == "yes_no":
                answers[str(question["pk"])] = rng.random() < (0.5 if f["rating"] == "hot" else 0.25)
            else:
                answers[str(question["pk"])] = rng.choice([1, 2, 3, 5, 8, 12, 20, 40, 120])
        if answers:
            f["answers"] = answers


def answer_criteria(icps: list[Record], questions: list[Record], next_pk: int) -> list[Record]:
    """Each published ICP scores a near timeline and a budget owner (engagement), as the questions' page
    suggests."""
    by_sponsor: dict[int, dict[str, Record]] = {}
    for question in questions:
        by_sponsor.setdefault(question["fields"]["sponsor"], {})[question["fields"]["label"]] = question
    records: list[Record] = []
    for icp in icps:
        own = by_sponsor.get(icp["fields"]["sponsor"], {})
        for label, values, weight in (("Timeline", ["this quarter"], 15), ("Budget owner?", ["yes"], 10)):
            if label in own:
                records.append(record(
                    "icpcriterion", next_pk + len(records), icp=icp["pk"], part="engagement", field="answer",
                    question=own[label]["pk"], kind="in_set", label=label.rstrip("?"), values=values,
                    min_value=None, max_value=None, weight=weight, action="", position=90 + len(records) % 2,
                ))  # fmt: skip
    return records
