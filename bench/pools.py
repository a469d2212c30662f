"""Made-up people's titles and companies for the benchmarks' data sets, from a seeded random generator.

The same seed gives the same pools: a data set is rebuilt only when its DATA_VERSION changes, so changing
what a function here draws, or in what order, changes every bench that uses it (bump their versions).
"""

from __future__ import annotations

import random
import re
from bisect import bisect
from itertools import accumulate

SENIORITY_PREFIXES = [
    ("", 40), ("Senior ", 18), ("Sr. ", 6), ("Sr ", 2), ("Staff ", 5), ("Principal ", 4), ("Junior ", 3),
    ("Jr. ", 1), ("Associate ", 2), ("Lead ", 4), ("Distinguished ", 1), ("Intern ", 1),
]  # fmt: skip
AREAS = [
    "Platform", "Infrastructure", "Cloud", "DevOps", "Site Reliability", "SRE", "Security", "Cloud Security",
    "Application Security", "Data", "Machine Learning", "ML", "AI", "Backend", "Frontend", "Full Stack",
    "Software", "Mobile", "Network", "Systems", "QA", "Test Automation", "Build", "Release", "Observability",
    "Kubernetes", "Database", "Analytics", "Solutions", "Developer Relations", "IT", "Research", "Product",
    "Sales", "Marketing", "Customer Success", "Embedded", "Game", "Payments", "Identity",
]  # fmt: skip
NOUNS = [("Engineer", 30), ("Developer", 10), ("Architect", 6), ("Analyst", 3), ("Specialist", 3),
         ("Administrator", 2), ("Consultant", 3), ("Scientist", 2), ("Advocate", 1), ("Programmer", 1)]  # fmt: skip
LEAD_FORMS = [
    "{a} Manager", "Manager, {a}", "Head of {a}", "Director of {a}", "Director, {a}", "VP {a}", "VP of {a}",
    "{a} Team Lead", "{a} Lead", "Senior Director, {a}", "Group Manager {a}", "Engineering Manager, {a}",
    "{a} Engineering Manager", "SVP {a}", "Global Head of {a}", "{a} Practice Lead", "Chapter Lead {a}",
]  # fmt: skip
EXECUTIVES = [
    "CTO", "CIO", "CISO", "CEO", "COO", "Founder", "Co-founder", "Co-founder & CTO", "Founder & CEO",
    "Chief Technology Officer", "Chief Information Security Officer", "Chief Data Officer", "Owner",
    "Managing Director", "Geschäftsführer", "Directeur technique", "Président", "President",
]  # fmt: skip
OTHER_TITLES = [
    "Student", "PhD Student", "PhD Candidate", "Intern", "Working Student", "Werkstudent", "Recruiter",
    "Talent Acquisition Partner", "Journalist", "Editor", "Consultant", "Freelancer", "Account Executive",
    "Sales Engineer", "Product Owner", "Scrum Master", "Project Manager", "Procurement Manager",
    "Office Manager", "Professor", "Researcher", "Teacher", "",
]  # fmt: skip
SUFFIXES = [("", 70), (" II", 5), (" III", 3), (" I", 2), (", EMEA", 3), (" (Contract)", 1),
            (" - Kubernetes", 2), (", Core Services", 2), (", Payments", 1), (" @ HQ", 1), (" / Team Lead", 1)]  # fmt: skip
SYLLABLES_A = ["Zen", "Tri", "Nova", "Blue", "Red", "Alp", "Ver", "Quant", "Hex", "Lum", "Orb", "Ster", "Kin",
               "Bright", "Cloud", "Data", "Grid", "Pix", "Vol", "Ark", "Mer", "Sol", "Tera", "Flux", "Cor",
               "Nord", "Sky", "Iron", "Silver", "Oak"]  # fmt: skip
SYLLABLES_B = ["ix", "ora", "ware", "soft", "labs", "works", "line", "stack", "tech", "io", "ly", "on", "ex",
               "ify", "point", "scale", "base", "gate", "hub", "forge"]  # fmt: skip
SECOND_WORDS = [("", 40), ("Systems", 6), ("Labs", 5), ("Group", 4), ("Technologies", 5), ("Bank", 3),
                ("Insurance", 3), ("Health", 3), ("Logistics", 3), ("Retail", 2), ("Media", 2),
                ("Software", 4), ("Analytics", 3), ("Energy", 2), ("Telecom", 2), ("Consulting", 3),
                ("Games", 1), ("Mobility", 1), ("Solutions", 3), ("Cloud", 2)]  # fmt: skip
TLDS = [(".com", 40), (".io", 15), (".de", 10), (".fr", 8), (".co.uk", 6), (".nl", 4), (".es", 3),
        (".it", 3), (".se", 2), (".pl", 2), (".ch", 2), (".dev", 2), (".ai", 3)]  # fmt: skip
LEGAL = [
    "",
    "",
    "",
    " Inc.",
    " GmbH",
    " Ltd",
    " SAS",
    " B.V.",
    " AB",
    " S.L.",
    " AG",
    ", Inc.",
    " LLC",
    " Oy",
]
FREE_MAIL = ["gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "gmx.de", "web.de", "icloud.com",
             "proton.me", "orange.fr", "hotmail.co.uk", "mail.ru", "libero.it", "mail.example"]  # fmt: skip
UNIVERSITIES = [("Northbridge University", "northbridge.edu"), ("TU Nordheim", "tu-nordheim.de"),
                ("Université de Valbonne", "univ-valbonne.fr"), ("ETH Zürich", "ethz.ch"),
                ("University of Eastwick", "eastwick.ac.uk"), ("Uniwersytet Warszawski", "uw.edu.pl"),
                ("KTH Royal Institute of Technology", "kth.se")]  # fmt: skip
NOTE_TEMPLATES = [
    "Wants pricing for ~{n} nodes", "Asked about SOC 2 and SSO", "Running a PoC in Q{q}",
    "no budget until Q{q}", "Budget approved for H{h}, send a proposal", "not interested, just swag",
    "Evaluating us against {n} others", "Migrating {n} clusters off a legacy PaaS",
    "Interested in the enterprise plan, pricing call next week", "Send the proposal by Friday",
    "Doesn't have budget this year", "Team of {n} SREs, wants a demo for the lead",
    "Möchte einen PoC im Q{q}", "Veut un devis pour {n} nœuds", "Quiere precios para {n} clusters",
]  # fmt: skip


class Pick:
    """A weighted choice from (value, weight) pairs, by bisection: the same draw as ``random.choices``
    with cumulative weights, without rebuilding them for every row."""

    def __init__(self, pairs):
        pairs = list(pairs)
        self.values = [v for v, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))

    @classmethod
    def zipf(cls, values, s: float = 1.0) -> Pick:
        """The first value most often, the k-th with weight 1/k**s."""
        return cls((value, 1 / (rank + 1) ** s) for rank, value in enumerate(values))

    def __call__(self, rng: random.Random):
        return self.values[bisect(self.cum, rng.random() * self.cum[-1], 0, len(self.cum) - 1)]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def typo(rng: random.Random, text: str) -> str:
    """One long word with a letter dropped or two letters swapped, as typed on a badge form."""
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) > 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1 :] if rng.random() < 0.6 else w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def title_pool(rng: random.Random, size: int) -> list[str]:
    """About ``size`` distinct badge titles, most popular first."""
    from tracker.demo.pools import LOCAL_TITLES, TITLES

    pool = dict.fromkeys(t for t, _ in sorted(TITLES, key=lambda p: -p[1]))
    for titles in LOCAL_TITLES.values():
        pool.update(dict.fromkeys(titles))
    pool.update(dict.fromkeys(EXECUTIVES + OTHER_TITLES))
    prefix, noun, suffix = Pick(SENIORITY_PREFIXES), Pick(NOUNS), Pick(SUFFIXES)
    attempts = 0
    while len(pool) < size and attempts < size * 20:
        attempts += 1
        roll = rng.random()
        area = rng.choice(AREAS)
        if roll < 0.62:
            title = f"{prefix(rng)}{area} {noun(rng)}"
        elif roll < 0.9:
            title = rng.choice(LEAD_FORMS).format(a=area)
        else:
            title = rng.choice(EXECUTIVES + OTHER_TITLES) or "Engineer"
        title += suffix(rng)
        variant = rng.random()
        if variant < 0.04:
            title = typo(rng, title)
        elif variant < 0.06:
            title = title.upper()
        elif variant < 0.08:
            title = title.lower()
        elif variant < 0.10:
            title = title.replace("Senior", "Snr").replace("Manager", "Mgr").replace("Engineering", "Eng")
        pool[title] = None
    return list(pool)


def company_pool(rng: random.Random, size: int) -> list[tuple[str, str]]:
    """(name, domain) of ``size`` invented companies, distinct names."""
    from tracker.demo.pools import COMPANIES

    pool = {name: domain for name, domain in COMPANIES if domain}
    second, tld = Pick(SECOND_WORDS), Pick(TLDS)
    while len(pool) < size:
        first = rng.choice(SYLLABLES_A) + rng.choice(SYLLABLES_B)
        if rng.random() < 0.3:
            first += rng.choice(SYLLABLES_B)
        name = f"{first} {second(rng)}".strip()
        if rng.random() < 0.25:
            name = f"{rng.choice(SYLLABLES_A)}{rng.choice(SYLLABLES_B)} {name}"
        if name in pool:
            continue
        pool[name] = slug(name.split()[0] if rng.random() < 0.5 else name) + tld(rng)
    return list(pool.items())
