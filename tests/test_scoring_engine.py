"""The pure scoring engine: matching by kind and field, negation, negative rules, grades and ordering."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tracker.scoring.engine import compile_profile, score_lead
from tracker.scoring.normalise_companies import company_key
from tracker.scoring.values import ACTIONS, FIELDS, GRADES, KINDS, Criterion, LeadFacts, Profile, Reason


def crit(id=1, part="fit", field="seniority", kind="in_set", label="Rule", values=(), **kw) -> Criterion:
    return Criterion(id=id, part=part, field=field, kind=kind, label=label, values=tuple(values), **kw)


def profile(*criteria: Criterion, a=70, b=45, c=20, cap="C", version=3) -> Profile:
    return Profile(
        version=version, criteria=criteria, grade_a_min=a, grade_b_min=b, grade_c_min=c, cap_grade=cap
    )


def run(*criteria: Criterion, **facts):
    return compile_profile(profile(*criteria))(LeadFacts(**facts))


def matched(criterion: Criterion, **facts) -> bool:
    """Whether the criterion gave its weight (weight 10 in these tables)."""
    result = run(dataclasses.replace(criterion, weight=10), **facts)
    return result.score == 10


# --- in_set -------------------------------------------------------------------------------------

IN_SET_CASES = [
    ("seniority", ["vp", "director"], {"seniority": "vp"}, True),
    ("seniority", ["vp", "director"], {"seniority": "VP"}, True),
    ("seniority", ["vp", "director"], {"seniority": "manager"}, False),
    ("seniority", ["Unknown"], {"seniority": "unknown"}, True),  # "unknown" can be matched explicitly
    ("function", ["platform", "sre"], {"function": "sre"}, True),
    ("function", ["platform", "sre"], {"function": "other"}, False),
    ("industry", ["Energie"], {"industry": "énergie"}, True),
    ("industry", ["fintech"], {"industry": "  FinTech "}, True),
    ("country", ["DE", "AT"], {"country": "de"}, True),
    ("country", ["DE", "AT"], {"country": "FR"}, False),
    ("region", ["EU"], {"region": "EU"}, True),
    ("rating", ["hot"], {"ratings": ("cold", "HOT")}, True),
    ("rating", ["hot"], {"ratings": ("cold", "warm")}, False),
    ("rating", ["hot"], {"ratings": ()}, False),
    (
        "conversation_type",
        ["demo", "technical_deep_dive"],
        {"conversation_types": ("technical_deep_dive",)},
        True,
    ),
    ("interest", ["Log pipelines", "SLOs"], {"interests": ("log  pipelines",)}, True),
    ("interest", ["Log pipelines"], {"interests": ("Log",)}, False),
    ("scan_count", ["2", "3"], {"scan_count": 3}, True),
    ("scan_count", ["2", "3"], {"scan_count": 1}, False),
    ("company_size", ["200"], {"company_size": 200}, True),
    ("company_size", ["200"], {"company_size": None}, False),
    ("company_size", ["1234567"], {"company_size": 1234568}, False),
    ("company_size", ["200.0"], {"company_size": 200}, True),
    ("notes", ["call me"], {"notes": "Call  me"}, True),
]


@pytest.mark.parametrize(("field", "values", "facts", "expected"), IN_SET_CASES)
def test_in_set(field, values, facts, expected):
    assert matched(crit(field=field, kind="in_set", values=values), **facts) is expected


def test_in_set_reason_names_the_rule_field_and_value():
    result = run(crit(id=7, label="VP-level title", values=["vp"], weight=20), seniority="vp")
    assert result.reasons == (Reason(20, "VP-level title (seniority vp)", 7),)
    assert str(result.reasons[0]) == "+20 VP-level title (seniority vp)"
    assert result.reasons_json() == [
        {"points": 20, "reason": "VP-level title (seniority vp)", "criterion": 7}
    ]


def test_a_multi_valued_field_scores_once_however_many_values_match():
    result = run(crit(field="interest", part="engagement", values=["a", "b"], weight=5), interests=("a", "b"))
    assert result.score == 5 and len(result.reasons) == 1


# --- range --------------------------------------------------------------------------------------

RANGE_CASES = [
    ("company_size", 200, None, {"company_size": 200}, True),
    ("company_size", 200, None, {"company_size": 199}, False),
    ("company_size", 200, None, {"company_size": 100_000}, True),
    ("company_size", None, 50, {"company_size": 50}, True),
    ("company_size", None, 50, {"company_size": 51}, False),
    ("company_size", 50, 199, {"company_size": 120}, True),
    ("company_size", 50, 199, {"company_size": 200}, False),
    ("company_size", 0, None, {"company_size": None}, False),
    ("scan_count", 2, None, {"scan_count": 2}, True),
    ("scan_count", 2, None, {"scan_count": 1}, False),
    ("scan_count", 1, 1, {"scan_count": 1}, True),
    ("seniority", 0, 10, {"seniority": "5"}, False),  # a range on a text field never matches
]


@pytest.mark.parametrize(("field", "low", "high", "facts", "expected"), RANGE_CASES)
def test_range(field, low, high, facts, expected):
    criterion = crit(field=field, kind="range", min_value=low, max_value=high)
    assert matched(criterion, **facts) is expected


def test_range_reason_shows_the_value():
    result = run(
        crit(label="200+ employees", field="company_size", kind="range", min_value=200, weight=10),
        company_size=450,
    )
    assert result.reasons[0].text == "200+ employees (company size 450)"


# --- keyword and negation -----------------------------------------------------------------------

KEYWORDS = ["interested", "budget", "pricing", "Interesse", "intéressé", "free trial", "PoC"]
KEYWORD_CASES = [
    ("Interested in pricing", True),
    ("not interested", False),
    ("no budget", False),
    ("kein Interesse", False),
    ("Pas intéressé", False),
    ("Très intéressé", True),  # accent-insensitive both ways
    ("tres interesse", True),
    ("not at all interested", False),  # negation up to 3 words before
    ("Never had budget", False),
    ("doesn't have budget", False),
    ("didn't like the pricing", False),  # any n't form
    ("We don’t have budget", False),  # typographic apostrophe
    ("no-budget", False),
    ("without budget", False),
    ("not only interested but asked for pricing", True),  # decided: "not only/just" affirms
    ("not just budget, they need pricing too", True),
    ("No demo. Interested in pricing", True),  # a clause boundary ends the negation
    ("Not a fit, but budget approved", True),
    ("not now\nbudget approved for Q3", True),
    ("no budget this year, budget next year", True),  # one non-negated occurrence is enough
    ("no real plan for any budget", True),  # "no" is 4 words back: out of reach
    ("BUDGET approved", True),
    ("budgetary constraints", False),  # whole words only
    ("pre-pricing chat", True),
    ("asked for a Free  Trial", True),  # phrases match across whitespace
    ("free of charge trial", False),
    ("wants a poc", True),
    ("", False),
]


@pytest.mark.parametrize(("notes", "expected"), KEYWORD_CASES)
def test_keyword_in_notes_with_negation(notes, expected):
    criterion = crit(part="engagement", field="notes", kind="keyword", values=KEYWORDS)
    assert matched(criterion, notes=notes) is expected


def test_keyword_reason_names_the_keyword_as_configured():
    criterion = crit(
        id=4, part="engagement", field="notes", kind="keyword", label="PoC", values=["PoC"], weight=10
    )
    assert run(criterion, notes="they want a POC").reasons == (Reason(10, 'PoC (notes "PoC")', 4),)


def test_a_negative_keyword_phrase_can_subtract():
    rules = (
        crit(id=1, part="engagement", field="notes", kind="keyword", values=["budget"], weight=10),
        crit(id=2, part="engagement", field="notes", kind="keyword", values=["no budget"], weight=-15),
    )
    assert run(*rules, notes="We have no budget").score == -15
    assert run(*rules, notes="Budget approved").score == 10


def test_keyword_on_other_fields_and_multi_values():
    assert matched(crit(field="industry", kind="keyword", values=["fintech"]), industry="B2B Fintech")
    assert matched(
        crit(part="engagement", field="interest", kind="keyword", values=["slo"]), interests=("x", "SLO burn")
    )


# --- list_match ---------------------------------------------------------------------------------

LIST_CASES = [
    (["rival.io"], {"email_domain": "rival.io"}, True),
    (["rival.io"], {"email_domain": "RIVAL.IO"}, True),
    (["rival.io"], {"email_domain": "eu.rival.io"}, True),
    (["rival.io"], {"email_domain": "notrival.io"}, False),
    (["rival.io"], {"email_domain": "rival.io.evil.com"}, False),
    (["eu.rival.io"], {"email_domain": "rival.io"}, False),
    (["https://www.rival.io/about"], {"email_domain": "rival.io"}, True),
    (["@rival.io"], {"email_domain": "rival.io"}, True),
    (["Datadog, Inc."], {"company_key": "datadog"}, True),
    (["DATADOG SAS"], {"company_key": "Datadog"}, True),
    (["Acme GmbH & Co. KG"], {"company_key": "acme"}, True),
    (["New Relic"], {"company_key": "newrelic"}, True),
    (["Relic Games Ltd"], {"company_key": "new relic"}, False),
    (["rival.io"], {"company_key": "rival"}, False),  # a domain entry matches domains only
    # A listed name is keyed as the lead's company is (company_key): group and holding words aside.
    (["Acme Group"], {"company_key": company_key("ACME Group Holdings Ltd")}, True),
    (["Globex Holdings"], {"company_key": company_key("Globex")}, True),
    ([":free_mail"], {"email_domain": "gmail.com", "is_free_mail": True}, True),
    ([":free_mail"], {"email_domain": "acme.io"}, False),
    ([":academic"], {"email_domain": "mit.edu", "is_academic": True}, True),
    ([], {"email_domain": "rival.io"}, False),
]


@pytest.mark.parametrize(("values", "facts", "expected"), LIST_CASES)
def test_list_match(values, facts, expected):
    assert matched(crit(field="email_domain", kind="list_match", values=values), **facts) is expected


def test_target_account_uses_the_resolved_account_match():
    rule = crit(id=6, field="target_account", kind="list_match", label="Target account", weight=10)
    assert run(rule, account_match="domain acme.io").reasons == (
        Reason(10, "Target account (domain acme.io)", 6),
    )
    assert run(rule, company_key="acme").score == 0
    listed = dataclasses.replace(rule, values=("acme.io",))
    assert run(listed, email_domain="mail.acme.io").reasons == (
        Reason(10, "Target account (domain acme.io)", 6),
    )


def test_list_match_on_a_plain_field_is_a_set_match():
    assert matched(crit(field="country", kind="list_match", values=["DE"]), country="de")


# --- unknown values -----------------------------------------------------------------------------

UNKNOWN_CASES = [
    ("seniority", "in_set", {"seniority": "unknown"}),
    ("seniority", "in_set", {"seniority": ""}),
    ("industry", "in_set", {"industry": ""}),
    ("company_size", "range", {"company_size": None}),
    ("email_domain", "list_match", {"email_domain": ""}),
    ("target_account", "list_match", {}),
    ("interest", "in_set", {"interests": ()}),
    ("notes", "keyword", {"notes": "  "}),
]


@pytest.mark.parametrize(("field", "kind", "facts"), UNKNOWN_CASES)
def test_unknown_fit_values_are_neutral_but_reported(field, kind, facts):
    rule = crit(id=5, field=field, kind=kind, label="Thing", values=["x.io"], min_value=1, weight=20)
    result = run(rule, **facts)
    assert result.score == 0
    assert result.reasons == (Reason(0, "? Thing: unknown", 5),)
    assert str(result.reasons[0]) == "? Thing: unknown"


@pytest.mark.parametrize("part", ["engagement", "negative"])
def test_unknown_is_only_reported_for_fit(part):
    rule = crit(
        part=part,
        field="company_size",
        kind="range",
        min_value=1,
        weight=-5,
        action="penalise" if part == "negative" else "",
    )
    assert run(rule).reasons == ()


def test_a_known_non_matching_value_gives_no_reason():
    assert run(crit(values=["vp"], weight=20), seniority="manager").reasons == ()
    assert run(crit(field="function", values=["sre"], weight=20), function="other").reasons == ()


# --- negative rules -----------------------------------------------------------------------------

COMPETITOR = crit(
    id=9,
    part="negative",
    field="email_domain",
    kind="list_match",
    label="Competitor",
    values=["rival.io"],
    weight=-100,
    action="exclude",
)
STAFF = crit(
    id=10,
    part="negative",
    field="email_domain",
    kind="list_match",
    label="Our own staff",
    values=["rival.io"],
    action="exclude",
)
STUDENT = crit(
    id=11, part="negative", field="seniority", label="Student", values=["student"], weight=-30, action="cap"
)
SWAG = crit(
    id=12,
    part="negative",
    field="conversation_type",
    label="Swag only",
    values=["swag_only"],
    weight=-20,
    action="penalise",
)
CUSTOMER = crit(
    id=13,
    part="negative",
    field="email_domain",
    kind="list_match",
    label="Customer",
    values=["client.com"],
    action="flag_customer",
)
HOT = crit(id=4, part="engagement", field="rating", label="Rated hot", values=["hot"], weight=80)


def test_exclude_short_circuits_everything():
    result = run(HOT, SWAG, CUSTOMER, STAFF, COMPETITOR, email_domain="sales.rival.io", ratings=("hot",))
    assert (result.score, result.grade, result.excluded, result.existing_customer) == (0, "D", True, False)
    assert result.reasons == (Reason(0, "Excluded: Competitor (domain rival.io)", 9),)  # lowest id wins


def test_penalise_subtracts_its_weight_whatever_its_sign():
    assert run(HOT, SWAG, ratings=("hot",), conversation_types=("swag_only",)).score == 60
    flipped = dataclasses.replace(SWAG, weight=20)
    assert run(flipped, conversation_types=("swag_only",)).reasons == (
        Reason(-20, "Swag only (conversation type swag_only)", 12),
    )


def test_cap_limits_the_grade_not_the_score():
    result = run(HOT, STUDENT, seniority="student", ratings=("hot",))
    assert (result.score, result.grade) == (80, "C")
    assert result.reasons[0] == Reason(0, "Grade capped at C: Student (seniority student)", 11)
    assert run(STUDENT, seniority="student").grade == "D"  # a cap never raises a grade
    assert (
        compile_profile(profile(HOT, STUDENT, cap="B"))(
            LeadFacts(seniority="student", ratings=("hot",))
        ).grade
        == "B"
    )


def test_flag_customer_marks_and_keeps_scoring():
    result = run(HOT, CUSTOMER, email_domain="client.com", ratings=("hot",))
    assert (result.score, result.grade, result.existing_customer, result.excluded) == (80, "A", True, False)
    assert result.reasons[0] == Reason(0, "Existing customer: route to account owner (domain client.com)", 13)


def test_flag_customer_also_fires_on_an_account_marked_customer():
    result = run(CUSTOMER, is_customer=True)
    assert result.existing_customer
    assert result.reasons == (Reason(0, "Existing customer: route to account owner (customer account)", 13),)


# --- grades -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "grade"),
    [(1000, "A"), (70, "A"), (69, "B"), (45, "B"), (44, "C"), (20, "C"), (19, "D"), (0, "D"), (-50, "D")],
)
def test_grade_thresholds_are_inclusive_lower_bounds(points, grade):
    assert run(crit(values=["vp"], weight=points), seniority="vp").grade == grade


def test_result_carries_the_version():
    assert run().version == 3
    assert run() == run()


# --- ordering -----------------------------------------------------------------------------------


def test_reasons_negatives_first_then_by_size_then_id():
    rules = (
        crit(id=1, field="seniority", label="Senior", values=["vp"], weight=10),
        crit(id=2, field="function", label="Function", values=["sre"], weight=-25),
        crit(id=3, field="company_size", kind="range", label="Size", min_value=100, weight=15),
        crit(id=4, field="industry", label="Industry", values=["x"], weight=15),
        crit(id=5, part="engagement", field="rating", label="Hot", values=["hot"], weight=0),
        dataclasses.replace(SWAG, id=20),
        dataclasses.replace(CUSTOMER, id=6),
        dataclasses.replace(STUDENT, id=7, values=("vp",)),
    )
    result = run(
        *reversed(rules),
        seniority="vp",
        function="sre",
        industry="x",
        ratings=("hot",),
        conversation_types=("swag_only",),
        email_domain="client.com",
    )
    assert [(r.criterion_id, r.points) for r in result.reasons] == [
        (20, -20), (6, 0), (7, 0), (2, -25), (4, 15), (1, 10), (3, 0), (5, 0)
    ]  # fmt: skip
    assert result.score == sum(r.points for r in result.reasons) == -20


# --- golden: the demo sponsor's first ICP ------------------------------------------------------

DEMO = Profile(
    version=1,
    grade_a_min=75,
    grade_b_min=50,
    grade_c_min=25,
    criteria=(
        crit(1, "fit", "seniority", "in_set", "Director or above", ["director", "vp", "c_level"], weight=20),
        crit(2, "fit", "function", "in_set", "Platform, SRE or security", ["platform", "sre", "devops", "security"], weight=15),
        crit(3, "fit", "company_size", "range", "200+ employees", min_value=200.0, weight=10),
        crit(4, "engagement", "rating", "in_set", "Rated hot at the booth", ["hot"], weight=25),
        crit(5, "engagement", "conversation_type", "in_set", "Saw a demo", ["demo", "technical_deep_dive"], weight=15),
        crit(6, "engagement", "interest", "in_set", "Asked about our product", ["Log pipelines", "SLOs"], weight=10),
        crit(7, "engagement", "notes", "keyword", "Pricing or PoC mentioned", ["pricing", "PoC", "budget", "proposal"], weight=10),
        crit(8, "engagement", "scan_count", "range", "Came back to the booth", min_value=2.0, weight=10),
        crit(9, "negative", "email_domain", "list_match", "Competitor", ["spanwise.example", "gravelog.example"], weight=-100, action="exclude"),
        crit(10, "negative", "email_domain", "list_match", "Our own staff", ["lumatrace.example"], weight=-100, action="exclude"),
        crit(11, "negative", "seniority", "in_set", "Student or intern", ["student", "intern"], weight=-30, action="cap"),
        crit(12, "negative", "conversation_type", "in_set", "Swag only", ["swag_only"], weight=-20, action="penalise"),
    ),
)  # fmt: skip

GOLDEN = [
    (
        LeadFacts(seniority="vp", function="platform", company_size=5000, ratings=("hot",), conversation_types=("demo",),
                  interests=("SLOs",), notes="Met at the bar.\nWants pricing for 40 clusters", scan_count=2, email_domain="acme.io"),
        115, "A", False,
        ["+25 Rated hot at the booth (rating hot)", "+20 Director or above (seniority vp)",
         "+15 Platform, SRE or security (function platform)", "+15 Saw a demo (conversation type demo)",
         "+10 200+ employees (company size 5000)", "+10 Asked about our product (interest SLOs)",
         '+10 Pricing or PoC mentioned (notes "pricing")', "+10 Came back to the booth (scan count 2)"],
    ),
    (
        LeadFacts(seniority="student", conversation_types=("swag_only",), notes="no budget, just stickers", email_domain="gmail.com"),
        -20, "D", False,
        ["-20 Swag only (conversation type swag_only)", "Grade capped at C: Student or intern (seniority student)",
         "? 200+ employees: unknown"],
    ),
    (
        LeadFacts(seniority="c_level", function="sre", company_size=300, ratings=("hot",), email_domain="eu.gravelog.example"),
        0, "D", True, ["Excluded: Competitor (domain gravelog.example)"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("facts", "points", "grade", "excluded", "reasons"), GOLDEN)
def test_golden_demo_profile(facts, points, grade, excluded, reasons):
    result = score_lead(DEMO, facts)
    assert (result.score, result.grade, result.excluded, result.version) == (points, grade, excluded, 1)
    assert [str(r) for r in result.reasons] == reasons


def test_outcomes_stay_right_past_the_memo_limit():
    score = compile_profile(profile(crit(field="industry", values=["fintech"], weight=10)))
    assert [score(LeadFacts(industry=f"industry {i}")).score for i in range(5000)] == [0] * 5000
    assert score(LeadFacts(industry="FinTech")).score == 10


# --- compiling and caching ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"part": "other"},
        {"field": "title"},
        {"kind": "fuzzy"},
        {"part": "negative", "action": ""},
        {"part": "negative", "action": "hide"},
    ],
)
def test_unknown_enumerations_fail_at_compile_time(bad):
    with pytest.raises(ValueError):
        compile_profile(profile(dataclasses.replace(crit(), **bad)))


def test_bad_cap_grade_fails_at_compile_time():
    with pytest.raises(ValueError):
        compile_profile(profile(cap="X"))


def test_score_lead_matches_compile_and_caches():
    p = profile(HOT, SWAG, COMPETITOR)
    facts = LeadFacts(ratings=("hot",))
    assert score_lead(p, facts) == compile_profile(p)(facts) == score_lead(dataclasses.replace(p), facts)
    unhashable = dataclasses.replace(p, criteria=list(p.criteria))
    assert score_lead(unhashable, facts) == score_lead(p, facts)


# --- properties ---------------------------------------------------------------------------------

WORDS = ["vp", "student", "unknown", "hot", "demo", "budget", "rival.io", "Acme Inc", "", "Énergie", "2"]
text = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS), st.text(max_size=8))
words = st.lists(text, max_size=3).map(tuple)
sentences = st.lists(
    st.sampled_from(WORDS + ["not", "no", "kein", ",", "\n", "n't", "only"]) | text, max_size=10
).map(" ".join)
bounds = st.one_of(st.none(), st.integers(0, 6).map(float), st.floats(allow_nan=True, allow_infinity=True))


QUESTIONS = (1, 2, 3)  # the ids of the sponsor's questions that answer criteria read


@st.composite
def criteria(draw, id: int) -> Criterion:
    part = draw(st.sampled_from(["fit", "engagement", "negative"]))
    field = draw(st.sampled_from(FIELDS))
    return Criterion(
        id=id,
        part=part,
        field=field,
        question=draw(st.sampled_from(QUESTIONS)) if field == "answer" else None,
        kind=draw(st.sampled_from(KINDS)),
        label=draw(st.sampled_from(["Rule", "Règle", "x"])),
        values=draw(words),
        min_value=draw(bounds),
        max_value=draw(bounds),
        weight=draw(st.integers(-1000, 1000)),
        action=draw(st.sampled_from(ACTIONS)) if part == "negative" else "",
    )


@st.composite
def profiles(draw) -> Profile:
    ids = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=12))
    c_min = draw(st.integers(-100, 100))
    b_min = c_min + draw(st.integers(1, 100))
    a_min = b_min + draw(st.integers(1, 100))
    return Profile(
        version=draw(st.integers(1, 99)),
        criteria=tuple(draw(criteria(i)) for i in ids),
        grade_a_min=a_min,
        grade_b_min=b_min,
        grade_c_min=c_min,
        cap_grade=draw(st.sampled_from(GRADES)),
    )


facts_strategy = st.builds(
    LeadFacts,
    seniority=text,
    function=text,
    company_size=st.one_of(st.none(), st.integers(0, 8), st.integers()),
    industry=text,
    country=text,
    region=text,
    company_key=text,
    email_domain=st.one_of(
        st.sampled_from(["rival.io", "eu.rival.io", "acme.io", "gmail.com", ""]), st.text(max_size=10)
    ),
    is_free_mail=st.booleans(),
    is_academic=st.booleans(),
    account_match=st.sampled_from(["", "domain acme.io"]),
    is_customer=st.booleans(),
    ratings=words,
    conversation_types=words,
    interests=words,
    notes=sentences,
    scan_count=st.integers(0, 8),
    answers=st.dictionaries(st.sampled_from(QUESTIONS), words, max_size=3),
    numbers=st.dictionaries(
        st.sampled_from(QUESTIONS), st.one_of(st.integers(0, 8).map(float), st.floats()), max_size=3
    ),
)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def grade_rank(grade: str) -> int:
    return GRADES.index(grade)


@PROPERTY
@given(profiles(), facts_strategy)
def test_reasons_always_sum_to_the_score(p, facts):
    result = compile_profile(p)(facts)
    assert result.score == sum(r.points for r in result.reasons)
    assert result.grade in GRADES
    if result.excluded:
        assert (result.score, result.grade, len(result.reasons)) == (0, "D", 1)


@PROPERTY
@given(profiles(), facts_strategy, st.data())
def test_raising_a_positive_weight_never_lowers_score_or_grade(p, facts, data):
    positive = [i for i, c in enumerate(p.criteria) if c.part != "negative" and c.weight > 0]
    assume(positive)
    i = data.draw(st.sampled_from(positive))
    raised = list(p.criteria)
    raised[i] = dataclasses.replace(raised[i], weight=raised[i].weight + data.draw(st.integers(1, 500)))
    before = compile_profile(p)(facts)
    after = compile_profile(dataclasses.replace(p, criteria=tuple(raised)))(facts)
    assert after.score >= before.score
    assert grade_rank(after.grade) <= grade_rank(before.grade)


@PROPERTY
@given(profiles(), facts_strategy)
def test_scoring_is_deterministic_and_ordered(p, facts):
    scorer = compile_profile(p)
    first = scorer(facts)
    scorer(LeadFacts())
    again = compile_profile(dataclasses.replace(p, criteria=tuple(reversed(p.criteria))))(facts)
    assert first == again == score_lead(p, facts) == scorer(facts)
    negatives = {c.id for c in p.criteria if c.part == "negative"}
    keys = [(r.criterion_id not in negatives, -abs(r.points), r.criterion_id) for r in first.reasons]
    assert keys == sorted(keys)
