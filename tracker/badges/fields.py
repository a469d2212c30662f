"""What a badge says of its attendee (``ParsedBadge``), and each field made clean: names, emails, phones,
countries and registration ids, whatever the payload's shape. Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_Params = dict[str, list[str]]


@dataclass(frozen=True)
class ParsedBadge:
    """What one badge payload says about its attendee; empty where it says nothing."""

    format: str
    badge_id: str = ""
    display_name: str = (
        ""  # the name as the person writes it (a vCard's FN): "佐藤花子", "Dr. Maren Holt, PhD"
    )
    first_name: str = ""
    last_name: str = ""
    emails: tuple[str, ...] = ()
    phone: str = ""
    title: str = ""
    company: str = ""
    country: str = ""
    city: str = ""

    @property
    def email(self) -> str:
        """The preferred (first) email, or ""."""
        return self.emails[0] if self.emails else ""

    @property
    def has_identity(self) -> bool:
        """True when the badge carries a registration id, an email or a name."""
        return bool(self.badge_id or self.emails or self.first_name or self.last_name)


_UNKNOWN = ParsedBadge(format="unknown")


# A vCard without its END line: cut off by the code or the scanner, so what it says may be cut off too
# (an email's domain, a name). Kept raw for review, never trusted.
_TRUNCATED = ParsedBadge(format="truncated")


_ISO2 = frozenset(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA "
    "CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR "
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM "
    "JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP "
    "MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
    "QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN "
    "TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW".split()
)


# Common country names, native names, 3-letter codes and aliases -> ISO-2 ("CODE alias,alias|...").
_COUNTRIES = {
    alias: code
    for entry in (
        "FR france,fra,république française|DE germany,deutschland,deu,ger,allemagne|US united states,usa,america,"
        "united states of america,états-unis|GB united kingdom,uk,gbr,great britain,britain,england,scotland,wales,"
        "northern ireland|ES spain,españa,esp|IT italy,italia,ita|NL netherlands,nederland,holland,nld|JP japan,"
        "日本,jpn|IN india,ind|CA canada,can|PL poland,polska,pol|SE sweden,sverige,swe|BE belgium,belgique,belgië,"
        "bel|CH switzerland,schweiz,suisse,svizzera,che|AT austria,österreich,aut|IE ireland,irl|PT portugal,prt|"
        "DK denmark,danmark,dnk|NO norway,norge,nor|FI finland,suomi,fin|CZ czechia,czech republic,česko,cze|"
        "BR brazil,brasil,bra|MX mexico,méxico,mex|AU australia,aus|NZ new zealand,nzl|CN china,中国,chn|"
        "KR south korea,korea,republic of korea,대한민국,kor|SG singapore,sgp|IL israel,isr|TR turkey,türkiye,tur|"
        "UA ukraine,україна,ukr|RO romania,românia,rou|GR greece,ελλάδα,grc|HU hungary,magyarország,hun|"
        "AR argentina,arg|ZA south africa,zaf|AE united arab emirates,uae,are|LU luxembourg,lux|EE estonia,eesti,"
        "est|LT lithuania,ltu|LV latvia,lva|HR croatia,hrvatska,hrv|BG bulgaria,bgr|SK slovakia,svk|SI slovenia,"
        "svn|RS serbia,srb|CL chile,chl|CO colombia,col|ID indonesia,idn|VN vietnam,viet nam,vnm|TH thailand,tha|"
        "PH philippines,phl|MY malaysia,mys|NG nigeria,nga|KE kenya,ken|EG egypt,egy|SA saudi arabia,sau|"
        "TW taiwan,twn|HK hong kong,hkg|RU russia,russian federation,россия,rus|IS iceland,ísland,isl|CY cyprus,"
        "cyp|MT malta,mlt"
    ).split("|")
    for code, _, aliases in [entry.partition(" ")]
    for alias in aliases.split(",")
}


_EDGE = "".join(map(chr, range(33))) + "\x7f\u200b\ufeff"  # stripped from both ends: whitespace, CR/LF, NUL


_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u2060\ufeff]")


_ID = re.compile(r"[\w.:/-]{4,64}", re.A)


_WORDISH = re.compile(r"[A-Za-z][a-z]*(?:[-_.][A-Za-z][a-z]*)*")


_HONORIFICS = frozenset("mr mrs ms miss mx dr prof sir".split())


def _clean(value: object) -> str:
    """NFC-normalise, drop control/invisible characters and collapse whitespace."""
    text = unicodedata.normalize("NFC", value if isinstance(value, str) else "")
    return " ".join(_INVISIBLE.sub("", text).split())


def _looks_like_id(text: str) -> bool:
    """A bare registration id: 4-64 id characters, with a digit unless it is a long non-word code."""
    if not _ID.fullmatch(text) or not any(c.isalnum() for c in text):
        return False
    return any(c.isdigit() for c in text) or (len(text) >= 6 and not _WORDISH.fullmatch(text))


def _id(value: str) -> str:
    """A registration id from a structured field: one token of at most 120 characters."""
    text = re.sub(r"(?i)^urn:uuid:", "", _clean(value))
    return text if text and " " not in text and len(text) <= 120 else ""


def _email(value: str) -> str:
    """A loosely valid email (one @, a dotted domain, no spaces) with its domain lower-cased, or ""."""
    text = re.sub(r"(?i)^mailto:([^?]*).*", r"\1", _clean(value)).strip("<>")
    local, _, domain = text.rpartition("@")
    if not local or "@" in local or any(c in text for c in ' ,;<>()[]\\"') or len(text) > 320:
        return ""
    return f"{local}@{domain.lower()}" if "." in domain and domain[0] != "." and domain[-1] != "." else ""


def _phone(value: str) -> str:
    """A phone number as printed (tel: URI prefix and parameters removed), if it has 3+ digits."""
    text = re.sub(r"(?i)^tel:([^;]*).*", r"\1", _clean(value))
    return text[:40] if sum(c.isdigit() for c in text) >= 3 else ""


def _country(value: str) -> str:
    """ISO 3166-1 alpha-2 code from a country name, a 2/3-letter code or a known alias; else ""."""
    key = re.sub(r"^the ", "", " ".join(_clean(value).casefold().replace(".", "").split()))
    return _COUNTRIES.get(key) or (key.upper() if key.upper() in _ISO2 else "")


def _split_name(full: str) -> tuple[str, str]:
    """Split a display name into (first, last): "Last, First", else the first word and the rest."""
    text = _clean(full)
    if "," in text:
        last, _, first = text.partition(",")
        return first, last
    words = text.split()
    if len(words) > 2 and words[0].lower().rstrip(".") in _HONORIFICS:
        words = words[1:]
    return (words[0] if words else "", " ".join(words[1:]))


def _build(
    fmt: str,
    *,
    badge_id: str = "",
    display_name: str = "",
    first: str = "",
    last: str = "",
    emails: object = (),
    phone: str = "",
    title: str = "",
    company: str = "",
    country: str = "",
    city: str = "",
) -> ParsedBadge:
    """Normalise and clip raw field values (to the Attendee column sizes) into a ParsedBadge."""
    found = [_email(e) for e in ([emails] if isinstance(emails, str) else emails) if isinstance(e, str)]
    return ParsedBadge(
        format=fmt,
        badge_id=_id(badge_id),
        display_name=_clean(display_name)[:240],
        first_name=_clean(first)[:120],
        last_name=_clean(last)[:120],
        emails=tuple(dict.fromkeys(e for e in found if e)),
        phone=_phone(phone),
        title=_clean(title)[:200],
        company=_clean(company)[:200],
        country=_country(country),
        city=_clean(city)[:100],
    )
