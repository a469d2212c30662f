"""Sales regions as sets of countries: scoring's region criterion, routing rules and the region filters."""

from __future__ import annotations

REGION_COUNTRIES: dict[str, frozenset[str]] = {
    "EU": frozenset(
        "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE GB CH NO IS UA RS BA "
        "ME MK AL".split()
    ),
    "NA": frozenset({"US", "CA", "MX"}),
    "LATAM": frozenset("AR BO BR CL CO CR CU DO EC SV GT HN NI PA PY PE PR UY VE".split()),
    "APAC": frozenset("AU NZ JP KR CN HK TW SG MY ID TH VN PH IN PK BD LK".split()),
    "MEA": frozenset("AE SA QA KW BH OM IL TR EG MA TN DZ NG KE ZA GH ET JO LB".split()),
}


def country_region(country: str) -> str:
    """The sales region (EU, NA, LATAM, APAC, MEA) of an ISO-2 country code, or "" if unknown."""
    code = (country or "").upper()
    for region, codes in REGION_COUNTRIES.items():
        if code in codes:
            return region
    return ""


def countries_of_region(region: str) -> list[str]:
    """The ISO-2 codes of a region's countries, sorted (empty for an unknown region)."""
    return sorted(REGION_COUNTRIES.get(region, ()))
