"""Sales regions as sets of countries, for filters and routing (the sets live with the scoring facts)."""

from __future__ import annotations

from tracker.scoring.facts import APAC, EU, LATAM, MEA, NA, country_region

REGION_COUNTRIES: dict[str, frozenset[str]] = {
    "EU": frozenset(EU),
    "NA": frozenset(NA),
    "LATAM": frozenset(LATAM),
    "APAC": frozenset(APAC),
    "MEA": frozenset(MEA),
}


def countries_of_region(region: str) -> list[str]:
    """The ISO-2 codes of a region's countries, sorted (empty for an unknown region)."""
    return sorted(REGION_COUNTRIES.get(region, ()))


__all__ = ["REGION_COUNTRIES", "country_region", "countries_of_region"]
