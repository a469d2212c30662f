"""What is known about leads, gathered for scoring in a fixed number of queries per chunk.

Titles, company names, email domains and countries are normalised once per distinct value (and the
results kept across chunks), not once per lead.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.db import connections, router
from django.db.models import BooleanField, Expression, F, Q

from tracker.models import Account, Lead, Scan
from tracker.scoring.engine import LeadFacts
from tracker.scoring.normalise import (
    CompanyResolver,
    company_key,
    email_domain,
    is_academic,
    is_free_mail,
    title_profiles,
)

EU = set(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE GB CH NO IS UA RS BA ME MK AL".split()
)
NA = {"US", "CA", "MX"}
LATAM = set("AR BO BR CL CO CR CU DO EC SV GT HN NI PA PY PE PR UY VE".split())
APAC = set("AU NZ JP KR CN HK TW SG MY ID TH VN PH IN PK BD LK".split())
MEA = set("AE SA QA KW BH OM IL TR EG MA TN DZ NG KE ZA GH ET JO LB".split())


def country_region(country: str) -> str:
    """The sales region (EU, NA, LATAM, APAC, MEA) of an ISO-2 country code, or "" if unknown."""
    code = (country or "").upper()
    for region, codes in (("EU", EU), ("NA", NA), ("LATAM", LATAM), ("APAC", APAC), ("MEA", MEA)):
        if code in codes:
            return region
    return ""


def account_resolver(sponsor_id: int) -> tuple[CompanyResolver, dict[int, Account]]:
    """The sponsor's account list, ready to resolve company names and email domains."""
    accounts = {a.pk: a for a in Account.objects.filter(sponsor_id=sponsor_id)}
    resolver = CompanyResolver([(a.pk, a.name, tuple(a.domains or ())) for a in accounts.values()])
    return resolver, accounts


# Normalising is pure, so results are kept per distinct value across chunks. Leads share titles, companies
# and email domains; at a million leads, normalising each lead's values afresh (an address's domain was
# worked out five times per lead) cost more than reading them. Each memo is bounded (a full one is
# emptied), so memory stays flat however many leads are scored.
_MEMO_LIMIT = 50_000
_SIMPLE_EMAIL = re.compile(r"[^@\s<>/:]+@([A-Za-z0-9.-]+)")
_hosts: dict[str, str] = {}  # the part after "@" of a plain address -> its registrable domain
_domains: dict[str, tuple[bool, bool]] = {}  # domain -> (free mail, academic)
_company_keys: dict[str, str] = {}
_regions: dict[str, str] = {}


def _remember(memo: dict, key, value):
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value
    return value


def _email_domain(email: str) -> str:
    """``email_domain(email)``; a plain address gives the same as its part after "@", which repeats."""
    plain = _SIMPLE_EMAIL.fullmatch(email)
    if plain is None:
        return email_domain(email)
    host = plain.group(1)
    domain = _hosts.get(host)
    return domain if domain is not None else _remember(_hosts, host, email_domain(host))


def _company_key(company: str) -> str:
    key = _company_keys.get(company)
    return key if key is not None else _remember(_company_keys, company, company_key(company))


_NO_ACCOUNT = (None, "", "", False)
_UNSEEN = object()


class _Accounts:
    """A sponsor's accounts as of one read, with their resolver and what domains and companies resolved to.

    ``CompanyResolver.resolve(company, domain)`` tries the domain first, then the company's key alone; so
    a lead resolves as its domain does (``resolve("", domain)``) if that matches, else as its company key
    does (``resolve(key)``, the key of a key being itself). Both are kept per distinct value.
    """

    def __init__(self, rows: tuple):
        self.rows = rows
        self.by_pk = {row[0]: row for row in rows}
        self._fresh()

    def _fresh(self) -> None:
        # A new resolver also drops the fuzzy matches the old one remembered.
        self.resolver = CompanyResolver([(pk, name, domains) for pk, name, domains, *_ in self.rows])
        self.by_domain: dict[str, tuple | None] = {}
        self.by_key: dict[str, tuple] = {}

    def _account(self, match) -> tuple[int | None, str, str, bool]:
        row = self.by_pk.get(match.account_id) if match else None
        return (row[3], row[4], match.method if row[5] else "", bool(row[6])) if row else _NO_ACCOUNT

    def resolve(self, key: str, domain: str) -> tuple[int | None, str, str, bool]:
        """(employees, industry, target-account match method or "", is customer) of a lead's company."""
        if len(self.by_domain) >= _MEMO_LIMIT or len(self.by_key) >= _MEMO_LIMIT:
            self._fresh()
        if domain:
            found = self.by_domain.get(domain, _UNSEEN)
            if found is _UNSEEN:
                match = self.resolver.resolve("", domain)
                found = self.by_domain[domain] = self._account(match) if match else None
            if found is not None:
                return found
        found = self.by_key.get(key)
        if found is None:
            found = self.by_key[key] = self._account(self.resolver.resolve(key)) if key else _NO_ACCOUNT
        return found


_accounts: dict[int, _Accounts] = {}


def sponsor_accounts(sponsor_id: int) -> _Accounts:
    """The sponsor's accounts, their resolver reused for as long as the account rows stay the same."""
    rows = tuple(
        (pk, name, tuple(domains or ()), employees, industry, is_target, is_customer)
        for pk, name, domains, employees, industry, is_target, is_customer in Account.objects.filter(
            sponsor_id=sponsor_id
        ).values_list("pk", "name", "domains", "employees", "industry", "is_target", "is_customer")
    )  # in the model's order, as account_resolver reads them: on a clash the first account wins
    cached = _accounts.get(sponsor_id)
    if cached is None or cached.rows != rows:
        if len(_accounts) >= 64:
            _accounts.clear()
        cached = _accounts[sponsor_id] = _Accounts(rows)
    return cached


class _AnyOf(Expression):
    """``field = ANY(%s)`` with the ids as one array parameter (PostgreSQL).

    ``field IN (%s, %s, ...)`` with a chunk of 2,000 ids spent more time turning the ids into parameters
    and the query text into a statement (in Django and psycopg) than the database spent running it.
    """

    output_field = BooleanField()

    def __init__(self, field: str, ids: list[int]):
        super().__init__()
        self.column, self.ids = F(field), list(ids)

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.column = self.column.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return resolved

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s)", (*params, self.ids)


def _among(model, field: str, ids: list[int]) -> Q | _AnyOf:
    """The condition "``field`` is one of ``ids``", in the cheapest form the model's database takes."""
    if connections[router.db_for_read(model)].vendor == "postgresql":
        return _AnyOf(field, ids)
    return Q(**{f"{field}__in": ids})


def leads_facts(lead_ids: list[int], sponsor_id: int) -> dict[int, LeadFacts]:
    """Facts for each lead: normalised title and company, account data, and all its booth interactions."""
    rows = list(
        Lead.objects.filter(_among(Lead, "pk", lead_ids)).values_list(
            "pk", "attendee__title", "attendee__company", "attendee__email", "attendee__country", "scan_count"
        )
    )
    interactions: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for lead_id, rating, conversation, interests, notes in Scan.objects.filter(
        _among(Scan, "lead_id", lead_ids)
    ).values_list("lead_id", "rating", "conversation_type", "interests", "notes"):
        seen = interactions[lead_id]
        if rating:
            seen["ratings"].append(rating)
        if conversation:
            seen["conversations"].append(conversation)
        seen["interests"].extend(interests or ())
        if notes:
            seen["notes"].append(notes)
    titles = title_profiles({row[1] for row in rows})
    accounts = sponsor_accounts(sponsor_id)
    nothing: dict[str, list] = {}
    facts = {}
    for lead_id, title, company, email, country, scan_count in rows:
        domain = _email_domain(email) if email else ""
        flags = _domains.get(domain)
        if flags is None:
            flags = _remember(
                _domains,
                domain,
                (bool(domain) and is_free_mail(domain), bool(domain) and is_academic(domain)),
            )
        key = _company_key(company or "")
        employees, industry, account_match, is_customer = accounts.resolve(key, domain)
        region = _regions.get(country)
        if region is None:
            region = _remember(_regions, country, country_region(country))
        profile = titles[title]
        seen = interactions.get(lead_id, nothing)
        facts[lead_id] = LeadFacts(
            seniority=profile.seniority,
            function=profile.function,
            company_size=employees,
            industry=industry,
            country=(country or "").upper(),
            region=region,
            company_key=key,
            email_domain=domain,
            is_free_mail=flags[0],
            is_academic=flags[1],
            account_match=account_match,
            is_customer=is_customer,
            ratings=tuple(seen.get("ratings", ())),
            conversation_types=tuple(seen.get("conversations", ())),
            interests=tuple(dict.fromkeys(seen.get("interests", ()))),
            notes="\n".join(seen.get("notes", ())),
            scan_count=scan_count or 0,
        )
    return facts
