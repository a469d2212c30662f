"""Score leads against one ICP version: pure, deterministic, stdlib only; reasons sum to the score."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from operator import attrgetter

from tracker.scoring.normalise_companies import company_key
from tracker.scoring.text import fold, fold_text
from tracker.scoring.values import (
    ACADEMIC,
    ACTIONS,
    FIELDS,
    FREE_MAIL,
    GRADES,
    KINDS,
    PARTS,
    Criterion,
    LeadFacts,
    Profile,
    Reason,
    Score,
)

NEGATIONS = frozenset(
    "not no never don't dont doesn't doesnt isn't isnt cannot nor neither without "
    "pas jamais sans aucun aucune kein keine keinen keinem keiner keines nicht nie niemals ohne".split()
)
# "not only interested, but ..." affirms rather than negates.
_NOT_NEGATING_AFTER_NOT = frozenset({"only", "just", "merely", "simply"})

_MULTI = frozenset({"rating", "conversation_type", "interest", "answer"})
_ATTR = {  # LeadFacts attributes named differently from their field
    "rating": "ratings",
    "conversation_type": "conversation_types",
    "interest": "interests",
    "target_account": "account_match",
}
_NUMERIC = frozenset({"company_size", "scan_count"})
_DOMAIN_FIELDS = frozenset({"email_domain", "target_account"})
_SHOWN = {"email_domain": "domain", "target_account": "account", "answer": ""}
_CLAUSE = re.compile(
    r"[.,;:!?()\[\]{}\n\r\u2014\u2013]| - |\b(?:but|however|though|although|aber|sondern|mais)\b"
)
_WORD = re.compile(r"\w+(?:'\w+)*")
# Finds every word _is_negated could flag (and possibly more): a cheap pre-check.
_NEGATION_WORDS = "|".join(map(re.escape, sorted(NEGATIONS)))
_ANY_NEGATION = re.compile(rf"(?<!\w)(?:{_NEGATION_WORDS})(?!\w)|n't")
_MEMO_LIMIT = 4096  # per criterion: distinct raw values remembered with their outcome
_NEW = object()
_CRITERION_ID = attrgetter("criterion_id")


Test = Callable[[LeadFacts], Reason | None]
Maker = Callable[[str], Reason]


@lru_cache(maxsize=16384)
def name_key(name: str) -> str:
    """Compare company names as the account matching does (``company_key``), spaces aside: a listed
    "Acme Group" and a lead's "ACME Group Holdings Ltd" are the same company."""
    return "".join(company_key(name).split())


@lru_cache(maxsize=16384)
def domain_key(value: str) -> str:
    """Reduce a domain, e-mail address or URL to a bare lower-case host name."""
    host = value.strip().lower() if value.isascii() else fold(value)
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].rsplit("@", 1)[-1].strip(".")
    for prefix in ("*.", "www."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    return host


def _is_negated(text: str, start: int) -> bool:
    """Whether a negation word sits within the 3 words before ``start`` in the same clause."""
    if _ANY_NEGATION.search(text, 0, start) is None:  # the usual case: no negation word at all
        return False
    words = _WORD.findall(_CLAUSE.split(text[:start])[-1])[-3:]
    for i, word in enumerate(words):
        if word in NEGATIONS or word.endswith("n't"):
            if word == "not" and i + 1 < len(words) and words[i + 1] in _NOT_NEGATING_AFTER_NOT:
                continue
            return True
    return False


def _memo(make: Maker, limit: int = _MEMO_LIMIT) -> Callable[[object], Reason]:
    """Reuse the Reason for a detail seen before (bounded), so hot paths allocate nothing."""
    cache: dict[object, Reason] = {}

    def get(detail: object) -> Reason:
        reason = cache.get(detail)
        if reason is None:
            reason = make(str(detail))
            if len(cache) < limit:
                cache[detail] = reason
        return reason

    return get


def _number_key(value: object) -> str:
    """Key a numeric value the way in_set values for numeric fields are keyed ("200", "2.5")."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return fold(str(value))
    return str(int(number)) if number.is_integer() else repr(number)


def _getter(c: Criterion) -> Callable[[LeadFacts], object]:
    """What a criterion reads of a lead's facts: its field, or its question's answer."""
    if c.field == "answer":
        question = c.question
        if c.kind == "range":
            return lambda facts: facts.numbers.get(question)
        return lambda facts: facts.answers.get(question, ())
    return attrgetter(_ATTR.get(c.field, c.field))


def _in_set(c: Criterion, make: Maker, unknown: Reason | None) -> Test:
    """Field value (any value for multi-valued fields) in the set, case- and accent-insensitive."""
    field, numeric, multi = c.field, c.field in _NUMERIC, c.field in _MULTI
    get = _getter(c)
    shown = _SHOWN.get(field, field.replace("_", " "))
    table: dict[str, Reason] = {}
    for raw, read in zip(c.values, c.shown or c.values, strict=True):
        key = _number_key(raw) if numeric else fold(str(raw))
        if key:
            table.setdefault(key, make(f"{shown} {str(read).strip()}".strip()))
    blank = None if multi else unknown  # an empty scalar is unknown; an empty list item is not
    seen: dict[object, Reason | None] = {}  # raw value -> outcome, so repeated values skip folding

    def outcome(value: object) -> Reason | None:
        if value is None:
            return blank
        key = _number_key(value) if numeric else fold(str(value))
        result = table.get(key, blank if key in ("", "unknown") else None)
        if len(seen) < _MEMO_LIMIT:
            seen[value] = result
        return result

    if multi:

        def any_of(facts: LeadFacts) -> Reason | None:
            items = get(facts)
            if isinstance(items, str):
                items = (items,)
            if not items:
                return unknown
            for item in items:
                reason = seen.get(item, _NEW)
                if reason is _NEW:
                    reason = outcome(item)
                if reason is not None:
                    return reason
            return None

        return any_of

    def single(facts: LeadFacts) -> Reason | None:
        value = get(facts)
        reason = seen.get(value, _NEW)
        return outcome(value) if reason is _NEW else reason

    return single


def _list_match(c: Criterion, make: Maker, unknown: Reason | None) -> Test:
    """Email domain (or a parent of it) or company key in the list; target accounts also take account_match."""
    domains: dict[str, Reason] = {}
    names: dict[str, Reason] = {}
    free = academic = None
    for raw in c.values:
        text = str(raw)
        if fold(text) in (FREE_MAIL, "free_mail", "free-mail"):
            free = make("free-mail address")
        elif fold(text) in (ACADEMIC, "academic"):
            academic = make("academic address")
        elif "." in (host := domain_key(text)) and " " not in host:
            domains.setdefault(host, make(f"domain {host}"))
        elif key := name_key(text):
            names.setdefault(key, make(f"company {text.strip()}"))
    use_account = c.field == "target_account"
    account = _memo(make)
    seen: dict[tuple[str, str], Reason | None] = {}  # (domain, company) -> outcome of the list lookup

    def listed(domain: str, company: str) -> Reason | None:
        host = domain_key(domain) if domains and domain else ""
        while "." in host:
            if host in domains:
                break
            host = host[host.index(".") + 1 :]
        reason = domains.get(host) or (names.get(name_key(company)) if names and company else None)
        if len(seen) < _MEMO_LIMIT:
            seen[domain, company] = reason
        return reason

    def test(facts: LeadFacts) -> Reason | None:
        domain, company = facts.email_domain, facts.company_key
        reason = seen.get((domain, company), _NEW)
        if reason is _NEW:
            reason = listed(domain, company)
        if reason is not None:
            return reason
        if free is not None and facts.is_free_mail:
            return free
        if academic is not None and facts.is_academic:
            return academic
        if use_account:
            if facts.account_match:
                return account(facts.account_match)
            return unknown if not domain and not company else None
        return unknown if not domain else None

    return test


def _range(c: Criterion, make: Maker, unknown: Reason | None) -> Test:
    """Numeric field within [min, max], either bound optional; unknown (None) never matches."""
    field, low, high = c.field, c.min_value, c.max_value
    if field not in _NUMERIC and field != "answer":
        return lambda facts: None  # a range on a text field has no meaning: never matches
    get = _getter(c)
    lo = -math.inf if low is None or math.isnan(low) else float(low)
    hi = math.inf if high is None or math.isnan(high) else float(high)
    label = _SHOWN.get(field, field.replace("_", " "))
    shown = _memo(lambda value: make(f"{label} {_number_key(value)}".strip()))

    def test(facts: LeadFacts) -> Reason | None:
        value = get(facts)
        if value is None:
            return unknown
        return shown(value) if lo <= value <= hi else None

    return test


def _keyword(c: Criterion, make: Maker, unknown: Reason | None) -> Test:
    """A listed word or phrase appears as a whole word in the text and is not negated just before."""
    get = _getter(c)
    shown = _SHOWN.get(c.field, c.field.replace("_", " "))
    phrases = {fold(str(raw)): make(f'{shown} "{str(raw).strip()}"'.strip()) for raw in reversed(c.values)}
    ordered = sorted((p for p in phrases if _WORD.search(p)), key=lambda p: (-len(p), p))  # longest first
    alternatives = "|".join(r"\s+".join(map(re.escape, p.split(" "))) for p in ordered)
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)" if ordered else r"(?!)")

    def search(text: str) -> Reason | None:
        folded = fold_text(text)
        for found in pattern.finditer(folded):
            if not _is_negated(folded, found.start()):
                phrase = found.group()
                return phrases.get(phrase) or phrases.get(" ".join(phrase.split())) or make(shown)
        return None

    def test(facts: LeadFacts) -> Reason | None:
        value = get(facts)
        if isinstance(value, str):  # notes and other text fields
            return unknown if not value or value.isspace() else search(value)
        texts = tuple(map(str, value)) if isinstance(value, tuple) else ("" if value is None else str(value),)
        if all(not text or text.isspace() for text in texts):
            return unknown
        return next((r for r in map(search, texts) if r is not None), None)

    return test


def _reason_maker(c: Criterion, cap_grade: str) -> Maker:
    """How a match of this criterion is worded and how many points it carries."""
    if c.part != "negative":
        if c.field == "answer":  # "+20 Timeline: this quarter"
            return lambda detail: Reason(int(c.weight), f"{c.label}: {detail}", c.id)
        return lambda detail: Reason(int(c.weight), f"{c.label} ({detail})", c.id)
    if c.action == "exclude":
        return lambda detail: Reason(0, f"Excluded: {c.label} ({detail})", c.id)
    if c.action == "flag_customer":
        return lambda detail: Reason(0, f"Existing customer: route to account owner ({detail})", c.id)
    if c.action == "cap":
        return lambda detail: Reason(0, f"Grade capped at {cap_grade}: {c.label} ({detail})", c.id)
    return lambda detail: Reason(-abs(int(c.weight)), f"{c.label} ({detail})", c.id)


def _compile_criterion(c: Criterion, cap_grade: str) -> Test:
    """One criterion as a closure returning its Reason, the "? unknown" Reason (fit only) or None."""
    if isinstance(c.values, str):  # a lone string would otherwise be read letter by letter
        c = replace(c, values=(c.values,))
    make = _reason_maker(c, cap_grade)
    unknown = Reason(0, f"? {c.label}: unknown", c.id) if c.part == "fit" else None
    if c.kind in ("range", "keyword"):
        test = (_range if c.kind == "range" else _keyword)(c, make, unknown)
    else:  # in_set and list_match; on domain fields both compare with subdomains and company names
        test = (_list_match if c.field in _DOMAIN_FIELDS else _in_set)(c, make, unknown)
    if c.part == "negative" and c.action == "flag_customer":
        customer = make("customer account")
        return lambda facts: test(facts) or (customer if facts.is_customer else None)
    return test


def _validate(profile: Profile) -> None:
    """Reject a profile whose enumerations the engine does not know (once per version, not per lead)."""
    if profile.cap_grade not in GRADES:
        raise ValueError(f"cap_grade must be one of {GRADES}, not {profile.cap_grade!r}")
    for c in profile.criteria:
        if c.part not in PARTS or c.field not in FIELDS or c.kind not in KINDS:
            raise ValueError(f"criterion {c.id}: unknown part/field/kind {c.part!r}/{c.field!r}/{c.kind!r}")
        if c.field == "answer" and c.question is None:
            raise ValueError(f"criterion {c.id}: an answer criterion names its question")
        if c.part == "negative" and c.action not in ACTIONS:
            raise ValueError(f"criterion {c.id}: negative rule needs an action in {ACTIONS}")


def compile_profile(profile: Profile) -> Callable[[LeadFacts], Score]:
    """Build the scoring function of one ICP version; raises ValueError on unknown enumerations."""
    _validate(profile)
    cap, version = profile.cap_grade, profile.version
    a_min, b_min, c_min = profile.grade_a_min, profile.grade_b_min, profile.grade_c_min
    criteria = sorted(profile.criteria, key=lambda c: c.id)
    excluders = tuple(
        _compile_criterion(c, cap) for c in criteria if c.action == "exclude" and c.part == "negative"
    )
    others = [c for c in criteria if c.part == "negative" and c.action != "exclude"]
    others.sort(key=lambda c: (-abs(int(c.weight)) if c.action == "penalise" else 0, c.id))
    negatives = tuple(
        (_compile_criterion(c, cap), c.action == "flag_customer", c.action == "cap") for c in others
    )
    positives = [c for c in criteria if c.part != "negative"]
    positives.sort(key=lambda c: (-abs(int(c.weight)), c.id))
    tests = tuple(_compile_criterion(c, cap) for c in positives)

    def score(facts: LeadFacts) -> Score:
        for excluder in excluders:
            reason = excluder(facts)
            if reason is not None:
                return Score(0, "D", (reason,), True, False, version)
        reasons: list[Reason] = []
        total = 0
        customer = capped = False
        for test, is_flag, is_cap in negatives:
            reason = test(facts)
            if reason is not None:
                reasons.append(reason)
                total += reason.points
                customer = customer or is_flag
                capped = capped or is_cap
        zeros: list[Reason] = []
        for test in tests:
            reason = test(facts)
            if reason is not None:
                if reason.points:
                    reasons.append(reason)  # tests run in |weight|-then-id order
                    total += reason.points
                else:
                    zeros.append(reason)
        if zeros:
            zeros.sort(key=_CRITERION_ID)
            reasons.extend(zeros)
        grade = "A" if total >= a_min else "B" if total >= b_min else "C" if total >= c_min else "D"
        if capped and grade < cap:
            grade = cap
        return Score(total, grade, tuple(reasons), False, customer, version)

    return score


_COMPILED: dict[int, tuple[Profile, Callable[[LeadFacts], Score]]] = {}


def score_lead(profile: Profile, facts: LeadFacts) -> Score:
    """Score one lead, compiling each profile object once (the 64 most recently used are kept)."""
    hit = _COMPILED.get(id(profile))
    if hit is None or hit[0] is not profile:  # keeping the profile alive keeps its id from being reused
        if len(_COMPILED) >= 64:
            _COMPILED.clear()
        hit = _COMPILED[id(profile)] = (profile, compile_profile(profile))
    return hit[1](facts)
