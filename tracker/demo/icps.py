"""The demo sponsors' Ideal Customer Profiles: three shapes by what a sponsor sells (see tracker.demo.staff)."""

from __future__ import annotations

# ICP v1 rules by the shape of the sponsor's business: (part, field, kind, label, values, min_value,
# weight, action). "{competitors}", "{own_domain}" and "{options}" are filled in per sponsor.
IcpRule = tuple[str, str, str, str, list[str], str | None, int, str]
_ASKED_ABOUT_US: IcpRule = (
    "engagement",
    "interest",
    "in_set",
    "Asked about our product",
    ["{options}"],
    None,
    10,
    "",
)
_SAW_A_DEMO: IcpRule = (
    "engagement",
    "conversation_type",
    "in_set",
    "Saw a demo",
    ["demo", "technical_deep_dive"],
    None,
    15,
    "",
)
_CAME_BACK: IcpRule = ("engagement", "scan_count", "range", "Came back to the booth", [], "2.00", 10, "")
_NEGATIVE_RULES: list[IcpRule] = [
    ("negative", "email_domain", "list_match", "Competitor", ["{competitors}"], None, -100, "exclude"),
    ("negative", "email_domain", "list_match", "Our own staff", ["{own_domain}"], None, -100, "exclude"),
    ("negative", "seniority", "in_set", "Student", ["student"], None, 0, "cap"),
]


def _penalties(personal_email: int | None, swag_only: int) -> list[IcpRule]:
    personal = (
        [
            (
                "negative",
                "email_domain",
                "list_match",
                "Personal email",
                [":free_mail"],
                None,
                personal_email,
                "penalise",
            )
        ]
        if personal_email
        else []
    )
    return [
        *_NEGATIVE_RULES,
        *personal,
        ("negative", "conversation_type", "in_set", "Swag only", ["swag_only"], None, swag_only, "penalise"),
    ]


ICP_SHAPES: dict[str, list[IcpRule]] = {
    # An enterprise platform vendor: senior buyers at large companies who saw a demo.
    "enterprise": [
        ("fit", "seniority", "in_set", "Director or above", ["director", "vp", "c_level"], None, 20, ""),
        ("fit", "function", "in_set", "Platform, SRE or security", ["platform", "sre", "security"], None, 15, ""),
        ("fit", "company_size", "range", "200+ employees", [], "200.00", 10, ""),
        ("engagement", "rating", "in_set", "Rated hot at the booth", ["hot"], None, 25, ""),
        _SAW_A_DEMO,
        _ASKED_ABOUT_US,
        ("engagement", "notes", "keyword", "Pricing or PoC mentioned", ["pricing", "PoC", "budget", "proposal"],
         None, 10, ""),
        _CAME_BACK,
        *_penalties(personal_email=-10, swag_only=-20),
    ],
    # A developer-tool start-up: hands-on engineers who went deep, whatever their title or email.
    "devtool": [
        ("fit", "function", "in_set", "Builds or runs the platform", ["platform", "sre", "app_dev"], None, 20, ""),
        ("fit", "seniority", "in_set", "Hands-on or leads a team", ["senior_ic", "manager", "director"], None, 15, ""),
        ("fit", "company_size", "range", "20+ employees", [], "20.00", 5, ""),
        ("engagement", "conversation_type", "in_set", "Technical deep-dive", ["technical_deep_dive"], None, 25, ""),
        ("engagement", "rating", "in_set", "Hot or warm at the booth", ["hot", "warm"], None, 15, ""),
        (*_ASKED_ABOUT_US[:6], 15, ""),
        ("engagement", "notes", "keyword", "Trial or open-source use",
         ["trial", "open source", "PoC", "self-host", "GitHub"], None, 10, ""),
        _CAME_BACK,
        *_penalties(personal_email=None, swag_only=-15),
    ],
    # A security vendor: security and platform owners at large, regulated companies.
    "security": [
        ("fit", "function", "in_set", "Security, SRE or platform", ["security", "sre", "platform"], None, 25, ""),
        ("fit", "seniority", "in_set", "Manager or above", ["manager", "director", "vp", "c_level", "founder"], None,
         20, ""),
        ("fit", "company_size", "range", "1,000+ employees", [], "1000.00", 15, ""),
        ("fit", "region", "in_set", "Europe or North America", ["EU", "NA"], None, 5, ""),
        _SAW_A_DEMO,
        _ASKED_ABOUT_US,
        ("engagement", "notes", "keyword", "Compliance or audit mentioned",
         ["compliance", "audit", "SOC 2", "ISO 27001", "NIS2", "DORA"], None, 15, ""),
        ("engagement", "rating", "in_set", "Rated hot at the booth", ["hot"], None, 15, ""),
        *_penalties(personal_email=-15, swag_only=-20),
    ],
}  # fmt: skip
# Which shape a sponsor's ICP takes, by its category (start-ups take the developer-tool shape).
ICP_SHAPE_OF_CATEGORY = {"sec": "security", "net": "security", "cicd": "devtool", "devex": "devtool",
                         "wasm": "devtool", "community": "devtool"}  # fmt: skip
