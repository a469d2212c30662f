"""Normalising lead data for scoring: job titles, company names, email domains and account matching.

The import surface of ``normalise_titles`` (title → seniority and function) and ``normalise_companies``
(company keys, domains, free-mail and academic checks, ``CompanyResolver``). Pure: no ORM, no I/O.
"""

from tracker.scoring.normalise_companies import (
    ACADEMIC_DOMAINS,
    FREE_MAIL_BRANDS,
    FREE_MAIL_DOMAINS,
    LEGAL_SUFFIXES,
    NAME_FUZZY_CUTOFF,
    CompanyResolver,
    Match,
    company_key,
    domain_company_key,
    email_domain,
    is_academic,
    is_free_mail,
)
from tracker.scoring.normalise_titles import (
    CANONICAL_TITLES,
    FUNCTIONS,
    FUZZY_CUTOFF,
    SENIORITIES,
    TitleProfile,
    expand,
    fold,
    title_profile,
    title_profiles,
)

__all__ = [
    "ACADEMIC_DOMAINS",
    "CANONICAL_TITLES",
    "FREE_MAIL_BRANDS",
    "FREE_MAIL_DOMAINS",
    "FUNCTIONS",
    "FUZZY_CUTOFF",
    "LEGAL_SUFFIXES",
    "NAME_FUZZY_CUTOFF",
    "SENIORITIES",
    "CompanyResolver",
    "Match",
    "TitleProfile",
    "company_key",
    "domain_company_key",
    "email_domain",
    "expand",
    "fold",
    "is_academic",
    "is_free_mail",
    "title_profile",
    "title_profiles",
]
