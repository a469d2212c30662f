"""What is known about leads, gathered for scoring in a fixed number of queries per chunk.

Titles, company names, email domains and countries are normalised once per distinct value (and the
results kept across chunks), not once per lead.
"""

from __future__ import annotations

import json
import re
import time

from tracker.drivercursors import among, driver_rows
from tracker.models import Account, Lead, LeadAnswer, Scan
from tracker.regions import country_region
from tracker.scoring.normalise_companies import (
    CompanyResolver,
    company_key,
    email_domain,
    is_academic,
    is_free_mail,
)
from tracker.scoring.normalise_titles import title_profiles
from tracker.scoring.values import LeadFacts


def account_resolver(sponsor_id: int) -> tuple[CompanyResolver, dict[int, Account]]:
    """The sponsor's account list, ready to resolve company names and email domains."""
    accounts = {a.pk: a for a in Account.objects.filter(sponsor_id=sponsor_id)}
    resolver = CompanyResolver([(a.pk, a.name, tuple(a.domains or ())) for a in accounts.values()])
    return resolver, accounts


# Normalising is pure, so results are kept per distinct value across chunks. Leads share titles, companies
# and email domains; at a million leads, normalising each lead's values afresh (an address's domain was
# worked out five times per lead) cost more than reading them. Every memo is bounded, so memory stays flat
# however many leads are scored.
_MEMO_LIMIT = 20_000
_SIMPLE_EMAIL = re.compile(r"[^@\s<>/:]+@([A-Za-z0-9.-]+)")
_UNSEEN = object()


class _Memo:
    """A memo of at most 2 × ``limit`` entries that keeps the values in use.

    When the current generation is full it becomes the old one (the previous old one is dropped); a value
    found in the old generation moves back to the current one.
    """

    __slots__ = ("current", "old", "limit")

    def __init__(self, limit: int = _MEMO_LIMIT):
        self.current: dict = {}
        self.old: dict = {}
        self.limit = limit

    def get(self, key, default=None):
        value = self.current.get(key, _UNSEEN)
        if value is _UNSEEN:
            value = self.old.get(key, _UNSEEN)
            if value is _UNSEEN:
                return default
            self.put(key, value)
        return value

    def put(self, key, value):
        if len(self.current) >= self.limit:
            self.old, self.current = self.current, {}
        self.current[key] = value
        return value


_hosts = _Memo()  # the part after "@" of a plain address -> its registrable domain
_domains = _Memo()  # registrable domain -> (free mail, academic)
_company_keys = _Memo()
_regions = _Memo()


def _email_domain(email: str) -> str:
    """``email_domain(email)``; a plain address gives the same as its part after "@", which repeats."""
    plain = _SIMPLE_EMAIL.fullmatch(email)
    if plain is None:
        return email_domain(email)
    host = plain.group(1)
    domain = _hosts.get(host)
    return domain if domain is not None else _hosts.put(host, email_domain(host))


def _domain_flags(domain: str) -> tuple[bool, bool]:
    flags = _domains.get(domain)
    if flags is None:
        flags = _domains.put(
            domain, (bool(domain) and is_free_mail(domain), bool(domain) and is_academic(domain))
        )
    return flags


def _company_key(company: str) -> str:
    key = _company_keys.get(company)
    return key if key is not None else _company_keys.put(company, company_key(company))


def _region(country: str) -> str:
    region = _regions.get(country)
    return region if region is not None else _regions.put(country, country_region(country))


_NO_ACCOUNT = (None, "", "", False)


class _Accounts:
    """A sponsor's accounts as of one read, with their resolver and what domains and companies resolved to.

    ``CompanyResolver.resolve(company, domain)`` tries the domain first, then the company's key alone; so
    a lead resolves as its domain does (``resolve("", domain)``) if that matches, else as its company key
    does (``resolve(key)``, the key of a key being itself). Both are kept per distinct value.
    """

    def __init__(self, read: tuple, rows: tuple):
        self.read, self.rows = read, rows  # the account rows as read, and decoded
        self.read_at = time.monotonic()
        self.by_pk = {row[0]: row for row in rows}
        self.by_domain = _Memo()
        self.by_key = _Memo()
        self._new_resolver()

    def _new_resolver(self) -> None:
        # The resolver remembers every fuzzy match it made: a new one forgets them, bounding that too.
        self.resolver = CompanyResolver([(pk, name, domains) for pk, name, domains, *_ in self.rows])
        self.resolved = 0

    def _resolve(self, company: str, domain: str = "") -> tuple | None:
        """The account data the resolver finds, or None if it finds no account."""
        if self.resolved >= 2 * _MEMO_LIMIT:
            self._new_resolver()
        self.resolved += 1
        match = self.resolver.resolve(company, domain)
        if match is None:
            return None
        row = self.by_pk.get(match.account_id)
        return (row[3], row[4], match.method if row[5] else "", bool(row[6])) if row else _NO_ACCOUNT

    def resolve(self, key: str, domain: str) -> tuple[int | None, str, str, bool]:
        """(employees, industry, target-account match method or "", is customer) of a lead's company."""
        if domain:
            found = self.by_domain.get(domain, _UNSEEN)
            if found is _UNSEEN:  # None: no account has this domain, the company key decides
                found = self.by_domain.put(domain, self._resolve("", domain))
            if found is not None:
                return found
        found = self.by_key.get(key)
        if found is None:
            found = self.by_key.put(key, (self._resolve(key) or _NO_ACCOUNT) if key else _NO_ACCOUNT)
        return found


_accounts: dict[int, _Accounts] = {}


# A grade preview (the phone, a few times a minute per card) may use accounts read this long ago rather than
# read the sponsor's whole account list again; a stored score always reads them afresh.
PREVIEW_ACCOUNTS_SECONDS = 30


def sponsor_accounts(sponsor_id: int, *, read_within: float | None = None) -> _Accounts:
    """The sponsor's accounts, their resolver reused for as long as the account rows stay the same.

    ``read_within``: seconds; accounts read that recently are used without reading them again.
    """
    cached = _accounts.get(sponsor_id)
    if read_within is not None and cached is not None and time.monotonic() - cached.read_at < read_within:
        return cached
    # In the model's order, as account_resolver reads them (on a clash the first account wins); compared
    # as read, domains still JSON text, and decoded only when they changed.
    read = tuple(
        driver_rows(
            Account.objects.filter(sponsor_id=sponsor_id).values_list(
                "pk", "name", "domains", "employees", "industry", "is_target", "is_customer"
            )
        )
    )
    if cached is None or cached.read != read:
        if len(_accounts) >= 8:  # each sponsor's memos are bounded, and so is the number of sponsors
            _accounts.clear()
        rows = tuple((pk, name, tuple(_json_list(domains)), *rest) for pk, name, domains, *rest in read)
        cached = _accounts[sponsor_id] = _Accounts(read, rows)
    cached.read_at = time.monotonic()
    return cached


def accounts_forget() -> None:
    """Forget every sponsor's accounts as read (tests: ids come again after a rollback)."""
    _accounts.clear()


def _json_list(text) -> list:
    """A JSON column's text decoded, as ``JSONField`` would ("[]" being the usual case)."""
    if text is None or text == "[]":
        return []
    return (json.loads(text) if isinstance(text, str | bytes) else text) or []


_NO_ANSWERS: dict = {}


def _answers(
    lead_ids: list[int],
) -> tuple[dict[int, dict[int, tuple[str, ...]]], dict[int, dict[int, float]]]:
    """The leads' answers to their sponsor's questions, by lead and question: values, and numbers."""
    values: dict[int, dict[int, tuple[str, ...]]] = {}
    numbers: dict[int, dict[int, float]] = {}
    for lead_id, question_id, value, number in driver_rows(
        LeadAnswer.objects.filter(among(LeadAnswer, "lead_id", lead_ids))
        .order_by("pk")
        .values_list("lead_id", "question_id", "value", "number")
    ):
        given = values.setdefault(lead_id, {})
        given[question_id] = (*given.get(question_id, ()), value)
        if number is not None:
            numbers.setdefault(lead_id, {})[question_id] = float(number)
    return values, numbers


def leads_facts(lead_ids: list[int], sponsor_id: int, *, preview: bool = False) -> dict[int, LeadFacts]:
    """Facts for each of the sponsor's leads among ``lead_ids`` (others are left out): normalised title and
    company, account data, and all its booth interactions."""
    rows = driver_rows(
        Lead.objects.filter(among(Lead, "pk", lead_ids), sponsorship__sponsor_id=sponsor_id, erased_at=None)
        .order_by()
        .values_list(
            "pk", "attendee__title", "attendee__company", "attendee__email", "attendee__country", "scan_count"
        )
    )
    scans: dict[int, list[tuple]] = {}  # per lead, newest first
    for scan in driver_rows(
        Scan.objects.filter(among(Scan, "lead_id", lead_ids))
        .order_by("-received_at", "-pk")
        .values_list("lead_id", "rating", "conversation_type", "interests", "notes")
    ):
        seen = scans.get(scan[0])
        if seen is None:
            scans[scan[0]] = [scan]
        else:
            seen.append(scan)
    answers, numbers = _answers(lead_ids)
    titles = title_profiles({row[1] for row in rows})
    accounts = sponsor_accounts(sponsor_id, read_within=PREVIEW_ACCOUNTS_SECONDS if preview else None)
    facts = {}
    for lead_id, title, company, email, country, scan_count in rows:
        seen = scans.get(lead_id)
        if seen is None:
            ratings = conversations = interests = ()
            notes = ""
        elif len(seen) == 1:  # the usual case
            _, rating, conversation, interest_text, note = seen[0]
            ratings = (rating,) if rating else ()
            conversations = (conversation,) if conversation else ()
            interests = tuple(dict.fromkeys(_json_list(interest_text)))
            notes = note or ""
        else:
            ratings = tuple(scan[1] for scan in seen if scan[1])
            conversations = tuple(scan[2] for scan in seen if scan[2])
            interests = tuple(dict.fromkeys(i for scan in seen for i in _json_list(scan[3])))
            notes = "\n".join(scan[4] for scan in seen if scan[4])
        facts[lead_id] = _facts(
            titles[title], company, email, country, accounts,
            ratings=ratings, conversation_types=conversations, interests=interests, notes=notes,
            scan_count=scan_count or 0, answers=answers.get(lead_id, _NO_ANSWERS),
            numbers=numbers.get(lead_id, _NO_ANSWERS),
        )  # fmt: skip
    return facts


def _facts(profile, company: str | None, email: str | None, country: str | None, accounts: _Accounts, **booth) -> LeadFacts:  # fmt: skip
    """A lead's facts: who they are, normalised (title profile, email domain, company and its account),
    and what happened at the booth (``booth``, LeadFacts' own names)."""
    domain = _email_domain(email) if email else ""
    is_free, is_academic_domain = _domain_flags(domain)
    key = _company_key(company or "")
    employees, industry, account_match, is_customer = accounts.resolve(key, domain)
    return LeadFacts(
        seniority=profile.seniority,
        function=profile.function,
        company_size=employees,
        industry=industry,
        country=(country or "").upper(),
        region=_region(country),
        company_key=key,
        email_domain=domain,
        is_free_mail=is_free,
        is_academic=is_academic_domain,
        account_match=account_match,
        is_customer=is_customer,
        **booth,
    )


def person_facts(sponsor_id: int, *, title: str, company: str, email: str, country: str) -> LeadFacts:
    """Facts of someone who is not (yet) a lead of the sponsor, from who they are alone: a badge just
    read at the booth (see ``tracker.scoring.preview``). Normalised as ``leads_facts`` does."""
    profile = title_profiles({title})[title]
    accounts = sponsor_accounts(sponsor_id, read_within=PREVIEW_ACCOUNTS_SECONDS)
    return _facts(profile, company, email, country, accounts, scan_count=0)
