"""What is known about leads, gathered for scoring in a fixed number of queries per chunk.

Titles and company names are normalised once per distinct value, not once per lead.
"""

from __future__ import annotations

from collections import defaultdict

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


def leads_facts(lead_ids: list[int], sponsor_id: int) -> dict[int, LeadFacts]:
    """Facts for each lead: normalised title and company, account data, and all its booth interactions."""
    rows = list(
        Lead.objects.filter(pk__in=lead_ids).values_list(
            "pk", "attendee__title", "attendee__company", "attendee__email", "attendee__country", "scan_count"
        )
    )
    interactions: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for lead_id, rating, conversation, interests, notes in Scan.objects.filter(
        lead_id__in=lead_ids
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
    resolver, accounts = account_resolver(sponsor_id)
    facts = {}
    for lead_id, title, company, email, country, scan_count in rows:
        domain = email_domain(email) if email else ""
        match = resolver.resolve(company or "", domain)
        account = accounts.get(match.account_id) if match else None
        profile = titles[title]
        seen = interactions[lead_id]
        facts[lead_id] = LeadFacts(
            seniority=profile.seniority,
            function=profile.function,
            company_size=account.employees if account else None,
            industry=account.industry if account else "",
            country=(country or "").upper(),
            region=country_region(country),
            company_key=company_key(company or ""),
            email_domain=domain,
            is_free_mail=bool(domain) and is_free_mail(domain),
            is_academic=bool(domain) and is_academic(domain),
            account_match=(match.method if match and account and account.is_target else ""),
            is_customer=bool(account and account.is_customer),
            ratings=tuple(seen["ratings"]),
            conversation_types=tuple(seen["conversations"]),
            interests=tuple(dict.fromkeys(seen["interests"])),
            notes="\n".join(seen["notes"]),
            scan_count=scan_count or 0,
        )
    return facts
