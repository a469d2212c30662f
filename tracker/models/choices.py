"""Enumerations shared by the models, forms, filters and exports."""

from django.db import models


class Region(models.TextChoices):
    EU = "EU", "Europe"
    NA = "NA", "North America"
    LATAM = "LATAM", "Latin America"
    APAC = "APAC", "Asia-Pacific"
    MEA = "MEA", "Middle East & Africa"


class FundingStage(models.TextChoices):
    BOOTSTRAPPED = "bootstrapped", "Bootstrapped"
    SEED = "seed", "Seed"
    SERIES_A = "series_a", "Series A"
    SERIES_B = "series_b", "Series B"
    SERIES_C_PLUS = "series_c_plus", "Series C+"
    PUBLIC = "public", "Public"
    NON_PROFIT = "non_profit", "Non-profit / foundation"


class Tier(models.TextChoices):
    DIAMOND = "diamond", "Diamond"
    PLATINUM = "platinum", "Platinum"
    GOLD = "gold", "Gold"
    SILVER = "silver", "Silver"
    STARTUP = "startup", "Start-up"
    END_USER = "end_user", "End user"
    COMMUNITY = "community", "Community"


class NoBoothReason(models.TextChoices):
    COST = "cost", "Cost"
    NOT_TARGETING_REGION = "not_targeting_region", "Not targeting this region"
    PAST_LEAD_QUALITY = "past_lead_quality", "Lead quality in the past"
    OTHER = "other", "Other"


class CostCategory(models.TextChoices):
    FEE = "fee", "Sponsorship fee"
    BOOTH_BUILD = "booth_build", "Booth build"
    TRAVEL = "travel", "Travel"
    SWAG = "swag", "Swag"
    STAFF = "staff", "Staff time"
    OTHER = "other", "Other"


class StaffRole(models.TextChoices):
    SALES = "sales", "Sales"
    TECHNICAL_SDR = "technical_sdr", "Technical SDR"
    DEVREL = "devrel", "Developer relations"
    SOLUTIONS_ENGINEER = "solutions_engineer", "Solutions engineer"
    FOUNDER_EXEC = "founder_exec", "Founder / executive"
    MARKETING = "marketing", "Marketing"


class PermissionLevel(models.TextChoices):
    BOOTH = "booth", "Booth staff"
    MANAGER = "manager", "Manager"


class Rating(models.TextChoices):
    HOT = "hot", "Hot"
    WARM = "warm", "Warm"
    COLD = "cold", "Cold"


class ConversationType(models.TextChoices):
    DEMO = "demo", "Demo"
    TECHNICAL_DEEP_DIVE = "technical_deep_dive", "Technical deep-dive"
    SWAG_ONLY = "swag_only", "Swag only"
    HIRING = "hiring", "Hiring"
    PARTNER = "partner", "Partner"
    PRESS = "press", "Press"


class PayloadFormat(models.TextChoices):
    VCARD = "vcard", "vCard"
    MECARD = "mecard", "MECARD"
    JSON = "json", "JSON"
    URL = "url", "URL with attendee id"
    BADGE_ID = "badge_id", "Registration id"
    MANUAL = "manual", "Entered by hand"
    TRUNCATED = "truncated", "Cut-off vCard (to check)"
    UNKNOWN = "unknown", "Unknown"


class IcpStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published (current)"
    SUPERSEDED = "superseded", "Superseded"


class CriterionPart(models.TextChoices):
    FIT = "fit", "Fit (who the lead is)"
    ENGAGEMENT = "engagement", "Engagement (what happened at the booth)"
    NEGATIVE = "negative", "Negative rule"


class CriterionField(models.TextChoices):
    SENIORITY = "seniority", "Seniority"
    FUNCTION = "function", "Function"
    COMPANY_SIZE = "company_size", "Company size"
    INDUSTRY = "industry", "Industry"
    COUNTRY = "country", "Country"
    REGION = "region", "Region"
    TARGET_ACCOUNT = "target_account", "Target account"
    EMAIL_DOMAIN = "email_domain", "Email domain"
    RATING = "rating", "Staff rating"
    CONVERSATION_TYPE = "conversation_type", "Conversation type"
    INTEREST = "interest", "Interests and themes"
    NOTES = "notes", "Notes"
    SCAN_COUNT = "scan_count", "Number of scans"
    ANSWER = "answer", "Answer to a question"


class CriterionKind(models.TextChoices):
    IN_SET = "in_set", "Value in a set"
    RANGE = "range", "Numeric range"
    KEYWORD = "keyword", "Keyword present (with negation)"
    LIST_MATCH = "list_match", "Matches a list"


class NegativeAction(models.TextChoices):
    EXCLUDE = "exclude", "Exclude (competitor, own staff)"
    PENALISE = "penalise", "Penalise by the weight"
    CAP = "cap", "Cap the grade"
    FLAG_CUSTOMER = "flag_customer", "Flag as existing customer"


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    LINKEDIN = "linkedin", "LinkedIn"
    MEETING = "meeting", "Meeting"
    OTHER = "other", "Other"


class FollowUpStatus(models.TextChoices):
    TODO = "todo", "To do"
    CONTACTED = "contacted", "Contacted"
    MEETING_BOOKED = "meeting_booked", "Meeting booked"
    OPPORTUNITY = "opportunity", "Opportunity"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    DISQUALIFIED = "disqualified", "Disqualified"
    NO_RESPONSE = "no_response", "No response"


class AssignmentCondition(models.TextChoices):
    ACCOUNT_OWNER = "account_owner", "Existing account owner"
    REGION = "region", "Region"
    CONVERSATION = "conversation", "Conversation type"
    RATING = "rating", "Staff rating"
    ANYONE = "anyone", "Everyone else"


# Statuses in which a follow-up is still being worked; the others are outcomes.
OPEN_FOLLOW_UP_STATUSES = (
    FollowUpStatus.TODO,
    FollowUpStatus.CONTACTED,
    FollowUpStatus.MEETING_BOOKED,
    FollowUpStatus.OPPORTUNITY,
)


class ConsentHow(models.TextChoices):
    """How a lead's answer to "may we contact you?" was recorded."""

    BOOTH = "booth", "asked at the booth"
    IMPORT = "import", "from an imported lead file"
    PERSON = "person", "told us later"
