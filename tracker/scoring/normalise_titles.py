"""Job titles → (seniority, function): fold, expand abbreviations, ordered rules, then a fuzzy fallback.

Pure and deterministic: no ORM, no I/O. Every result names the rule that decided it, so a score can say
"Seniority VP (from 'VP Eng', rule seniority:vice-president)".

Pipeline (see shared/reference/scoring.md §3):

1. ``fold``: NFKD, drop accents, casefold; ``V.P.`` → ``vp``, ``Ph.D.`` → ``phd``, ``co-founder`` →
   ``cofounder``, ``dev ops`` → ``devops``; every other punctuation mark becomes a space, ``&`` → ``and``.
2. Token-wise abbreviation expansion (``vp`` → ``vice president``, ``sre`` → ``site reliability engineer``,
   ``cto`` → ``chief technology officer``, ``sr`` → ``senior`` …).
3. Seniority: ordered regex rules, most senior first (founder/owner, c_level, vp, director, student,
   manager, senior_ic, ic), with a few specific rules placed before the generic one they override
   ("chief of staff" before "chief", "teamleiter" before "leiter", "vice president" guarded in the
   "president" rule). Function: ordered rules, the department-defining words first (sales/marketing,
   then security, data/AI, SRE/operations, platform, product, application development).
4. Only when no seniority rule fired: rapidfuzz ``token_sort_ratio`` (with ``utils.default_process``,
   cutoff 85) against ``CANONICAL_TITLES`` (rule "fuzzy:94"). Then, if seniority is still undecided or the
   function rests on a generic word only ("Engineer"), the rules run once more on the title with each
   unknown word respelt to the nearest ``SPELLING_VOCABULARY`` word (``fuzz.ratio`` ≥ 85), and the rule id
   gets "+spelling" ("Senior Sofware Enginer" → senior_ic/app_dev, "seniority:senior+spelling"). Last, a
   recognised function alone means an individual contributor ("DevOps" → ic/platform, rule
   "function:platform"); otherwise unknown/other with rule "none".

Rules read the expanded title padded with spaces and are anchored on a literal space (not ``\b``), which
keeps 100k distinct titles at roughly 2 s cold on one core; ``title_profile`` and the expanded-form step
are both LRU-cached, and ``title_profiles`` works on distinct values only.

Choices worth knowing: "Owner"/"Inhaber" is ``founder``; architects are ``senior_ic``; "Lead" is
``manager``; developer relations/advocacy/evangelism is ``app_dev`` (a technical, developer-facing role,
not a seller; "developer marketing" stays ``sales_marketing``); IT and information systems (CIO, DSI) are
``platform``; a CTO's function is ``app_dev``; "Operations" alone is ``sre`` but sales/marketing/business
operations are not; "Directeur technique" (CTO) and "Directeur des systèmes d'information" (CIO) are
``c_level``, "Geschäftsführer"/"Managing Director"/"Directeur général" too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process, utils

SENIORITIES = ("founder", "c_level", "vp", "director", "manager", "senior_ic", "ic", "student", "unknown")
FUNCTIONS = ("platform", "sre", "security", "data_ai", "app_dev", "product", "sales_marketing", "other")
FUZZY_CUTOFF = 85


@dataclass(frozen=True, slots=True)
class TitleProfile:
    """Seniority and function of one job title, with the id of the rule that decided."""

    seniority: str = "unknown"
    function: str = "other"
    rule: str = "none"


UNKNOWN = TitleProfile()


def _strip_accents(text: str) -> str:
    """Decompose and drop combining marks ("é" → "e")."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Casefold, strip accents and collapse whitespace (idempotent)."""
    folded = _strip_accents(text).casefold()
    if not folded.isascii():
        folded = _strip_accents(folded)  # casefold can yield decomposable characters
    return " ".join(folded.split())


# --- 1. folding and tokens --------------------------------------------------------------------------

_INITIALS = re.compile(r"\b[a-z](?:\.\s?[a-z])+\b\.?")  # v.p. / s.v.p. / c.t.o → vp / svp / cto
_PHRASES = [
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\bph\.?\s?d\b\.?", "phd"),
        (r"\br\s?&\s?d\b", " research and development "),
        (r"\bco[\s-]+(found|fondat|fundad)", r"co\1"),
        (r"\b(?:dev[\s-]?sec|dev|sec|ml|fin|data|git|net|ai)[\s-]ops\b|\bdev[\s-]?sec[\s-]?ops\b", ""),
        (r"\bdev[\s-]?rel\b", "developer relations"),
        (r"\bfull[\s-]stack\b", "fullstack"),
        (r"\b(front|back)[\s-]end\b", r"\1end"),
        (r"\bc-(level|suite)\b", r"c \1"),
        (r"\bit[\s-]?leiter", "it leiter"),
    )
]
_ANY_PHRASE = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _PHRASES))  # one test for all
_AMPERSAND = re.compile(r"\s*&\s*")
_NON_WORD = re.compile(r"[\W_]+")

_ABBREVIATIONS = {
    "vp": "vice president",
    "vps": "vice president",
    "svp": "senior vice president",
    "evp": "executive vice president",
    "avp": "assistant vice president",
    "sr": "senior",
    "snr": "senior",
    "jr": "junior",
    "jnr": "junior",
    "mgr": "manager",
    "mngr": "manager",
    "mgmt": "management",
    "eng": "engineering",
    "engg": "engineering",
    "engr": "engineer",
    "sre": "site reliability engineer",
    "sres": "site reliability engineer",
    "infra": "infrastructure",
    "ops": "operations",
    "dir": "director",
    "cto": "chief technology officer",
    "cio": "chief information officer",
    "ciso": "chief information security officer",
    "cso": "chief security officer",
    "ceo": "chief executive officer",
    "coo": "chief operating officer",
    "cfo": "chief financial officer",
    "cpo": "chief product officer",
    "cmo": "chief marketing officer",
    "cro": "chief revenue officer",
    "cdo": "chief data officer",
    "caio": "chief ai officer",
    "cco": "chief commercial officer",
    "chro": "chief human resources officer",
    "md": "managing director",
    "gm": "general manager",
    "pm": "product manager",
    "tpm": "technical program manager",
    "em": "engineering manager",
    "swe": "software engineer",
    "sde": "software development engineer",
    "sdet": "software development engineer in test",
    "ml": "machine learning",
    "devrel": "developer relations",
    "dev": "developer",
    "devs": "developers",
    "qa": "quality assurance",
    "sec": "security",
    "mktg": "marketing",
    "bd": "business development",
    "biz": "business",
    "bdr": "business development representative",
    "sdr": "sales development representative",
    "ae": "account executive",
    "pmm": "product marketing manager",
    "csm": "customer success manager",
    "tam": "technical account manager",
    "sysadmin": "system administrator",
    "sys": "systems",
    "admin": "administrator",
    "arch": "architect",
    "tech": "technical",
    "prof": "professor",
    "asst": "assistant",
    "assoc": "associate",
    "exec": "executive",
    "pres": "president",
    "k8s": "kubernetes",
    "dba": "database administrator",
    "hr": "human resources",
    "sw": "software",
    "hw": "hardware",
    "prin": "principal",
    "intl": "international",
    "dsi": "directeur des systemes d information",
    "rssi": "chief information security officer",
    "pdg": "president directeur general",
    "dg": "directeur general",
    "gf": "geschaftsfuhrer",
}


def _squeeze(match: re.Match[str]) -> str:
    """The match without its spaces and hyphens ("dev-sec ops" → "devsecops")."""
    return match.group().replace(" ", "").replace("-", "")


def expand(title: str) -> str:
    """Fold a title and expand its abbreviations into the space-separated form the rules read."""
    text = fold(title)
    if "." in text:
        text = _INITIALS.sub(lambda m: m.group().replace(".", "").replace(" ", ""), text)
    if _ANY_PHRASE.search(text):
        for pattern, replacement in _PHRASES:
            text = pattern.sub(replacement or _squeeze, text)
    if "&" in text:
        text = _AMPERSAND.sub(" and ", text)
    text = _NON_WORD.sub(" ", text)
    return " ".join(_ABBREVIATIONS.get(token, token) for token in text.split())


# --- 2. rules ---------------------------------------------------------------------------------------
# Rules read the expanded title padded with one space each side, so a leading " " anchors a word start
# and "(?= )" a word end. Patterns then begin with a literal space, which lets the regex engine jump from
# word to word instead of trying every character (about 5× faster than "\b").


def _words(fragment: str) -> tuple[str, str]:
    """Whole words or phrases: ``fragment`` from a word start to a word end."""
    return "word", f"(?:{fragment})(?= )"


def _starts(fragment: str) -> tuple[str, str]:
    """Words beginning with ``fragment`` ("network" matches "networking")."""
    return "word", f"(?:{fragment})"


def _inside(fragment: str) -> tuple[str, str]:
    """``fragment`` anywhere, for compounds ("leiter" in "abteilungsleiter")."""
    return "inside", fragment


def _raw(pattern: str) -> tuple[str, str]:
    """A pattern used as it is (for "^"/"$" anchored ones)."""
    return "raw", pattern


def _compile(rules) -> list[tuple[Callable[[str], re.Match[str] | None], str, str]]:
    """Flatten (rule, value, *parts) into (search, rule id, value) rows, word parts merged per rule."""
    rows = []
    for rule_id, value, *parts in rules:
        words = [fragment for kind, fragment in parts if kind == "word"]
        inside = [fragment for kind, fragment in parts if kind == "inside"]
        patterns = [fragment for kind, fragment in parts if kind == "raw"]
        if words:
            patterns.insert(0, " (?:" + "|".join(words) + ")")
        if inside:
            patterns.append("|".join(inside))
        rows.extend((re.compile(pattern).search, rule_id, value) for pattern in patterns)
    return rows


# Seniority: first match wins, most senior first; specific rules precede the generic ones they override.
_SENIORITY_RULES = _compile(
    (f"seniority:{rule}", seniority, *parts)
    for rule, seniority, *parts in (
        (
            "founder",
            "founder",
            _words(
                r"(?:co)?(?:founders?|fondat(?:eur|rice)s?|fundador(?:a|es)?|fondatore|oprichter)"
                r"|(?:mit)?(?:be)?grunder(?:in)?"
            ),
        ),
        (
            "owner",
            "founder",
            _raw(r"^ (?:co )?owners?(?= )"),
            _words(
                r"and (?:co )?owner|owner and|(?:business|company|shop|store|agency|practice|sole|firm) owner"
                r"|inhaber(?:in)?|eigenaar|proprietaire|propietari[oa]"
            ),
        ),
        ("chief-of-staff", "director", _words("chief of staff")),
        ("chief", "c_level", _words("chief|cxo|c level|c suite")),
        # "Vice President" must never reach the c_level "president" rule.
        ("president", "c_level", _starts(r"(?<!vice )(?<!vize )(?:president[ea]?|prasident(?:in)?)(?= )")),
        (
            "managing-director",
            "c_level",
            _words(
                r"managing director|gesch(?:a|ae)ftsf(?:u|ue)hr(?:er|erin|ung)"
                r"|direct(?:eur|rice|or|ora) (?:general|generale|ejecutiv[oa])|direttore generale"
                r"|diretora? (?:geral|executiv[oa])|consejer[oa] delegad[oa]|amministratore delegato"
                r"|chair(?:man|woman|person)|(?:chair of the|board) (?:board|chair)|board member"
                r"|(?:managing|general) partner|gerante?"
            ),
            _starts("vorstand"),
            _raw(r"^ (?:senior |equity |founding )?partners? $"),
        ),
        (
            "cto-local",
            "c_level",
            _words(r"direct(?:eur|rice) techni(?:que|cal)|directora? tecnic[oa]|diret(?:or|tore) tecnico"),
        ),
        (
            "cio-local",
            "c_level",
            _words(r"direct(?:eur|rice) des systemes d information|directora? de sistemas de informacion"),
        ),
        ("vice-president", "vp", _words(r"vice ?president[ea]?|vizeprasident(?:in)?")),
        (
            "team-lead-local",
            "manager",
            _words(
                r"(?:team|gruppen|projekt|project|schicht) ?leit(?:er|erin|ung)"
                r"|chef(?:fe)? (?:de|d) (?:projets?|produits?|equipe)|jef[ea] de (?:proyectos?|equipo|producto)"
            ),
        ),
        (
            "director",
            "director",
            _words(
                r"direct(?:or|ora|ors|eur|rice)|dirett(?:ore|rice)|diret(?:or|ora)|direktor(?:in)?|general manager"
            ),
        ),
        (
            "head-of",
            "director",
            _words(r"head|jef[ea]|jefatura|chef(?:fe)? (?:de|d|du|des)"),
            _inside(r"leit(?:er|erin|ung)(?= )"),
        ),
        (
            "student",
            "student",
            _words(
                r"student(?! (?:success|affairs|services|recruit\w*|experience|life|support))(?:in)?"
                r"|students|werkstudent(?:in)?|etudiant(?:e)?|estudiante|studente|estudante|interns?|internship"
                r"|praktikant(?:in)?|stagiaire|stagiair|stagista|estagiari[oa]|becari[oa]|practicante|trainee"
                r"|apprentie?|apprentice|alternante?|azubi|auszubildender?|doctorante?|doktorand(?:in)?"
                r"|doctorand[oa]|dottorand[oa]|undergrad(?:uate)?|phd(?: (?:candidate|researcher|fellow))?"
                r"|doctoral (?:student|candidate|researcher)|graduate (?:assistant|researcher)"
            ),
        ),
        (
            "manager",
            "manager",
            _words(r"managers?|managerin|responsab(?:le|ile)|gerente|supervisor|gestionnaire|product owner"),
            _inside(r"manager(?= )"),
        ),
        ("lead", "manager", _starts(r"lead(?:er|ers|s)?(?= )(?! generation| gen | qualification)")),
        (
            "senior",
            "senior_ic",
            _words(r"senior|principal|distinguished|fellow|arquitect[oa]|experte?|expertin|confirme"),
            _starts(r"staff (?!accountant|assistant|nurse|member|writer)\w"),
            _inside(r"archite(?:ct|kt)"),
        ),
        (
            "ic-role",
            "ic",
            _words(
                r"engineers?|engineering|developers?|programmer|scientist|analyst|consultant|specialist"
                r"|administrator|associate|representative|executive|designer|researcher|advocate|evangelist"
                r"|technician|operator|writer|recruiter|accountant|assistant|coordinator|junior|officer|agent"
                r"|editor|lecturer|professor|member of technical staff|hacker|contributor|employee"
                r"|ingenier[oa]|ingegnere|engenheir[oa]|developpeu(?:r|se)|desarrollador(?:a)?|sviluppatore"
                r"|desenvolvedor(?:a)?|ontwikkelaar|programmeur|programador(?:a)?|consultor(?:a)?|analista"
                r"|analyste|administrat(?:eur|ore)|technicien(?:ne)?|collaborat(?:eur|rice)|chargee? d\w*"
                r"|medewerker|freelancer?|contractor|self employed|journalist|reporter|investor|advis[eo]r"
                r"|trainer|instructor|teacher"
            ),
            _starts("postdoc"),
            _inside(
                r"(?:ingenieur(?:in|e)?|entwickler(?:in)?|programmierer(?:in)?|berater(?:in)?"
                r"|administrator(?:in)?|techniker(?:in)?|mitarbeiter(?:in)?|referent(?:in)?)(?= )"
            ),
        ),
    )
)

# Function: first match wins; the department-defining words first ("Cloud Sales Specialist" sells).
_FUNCTION_RULES = _compile(
    (f"function:{rule}", function, *parts)
    for rule, function, *parts in (
        (
            "sales-marketing",
            "sales_marketing",
            _words(
                r"sales|salesperson|marketing|marketer|growth|brand(?:ing)?|communications?|public relations|pr"
                r"|advertising|seo|content marketing|social media|event (?:manager|marketing|coordinator|planner)"
                r"|community manager|partnerships?|alliances?|channel"
                r"|partner (?:manager|marketing|sales|development|success|ecosystem)|revenue|business development"
                r"|business developer|account (?:executive|manager|director|lead)|customer success|presales"
                r"|pre sales|ventes?|ventas|vendas|vendite|commerciale?|comercial|go to market|gtm"
                r"|developer marketing"
            ),
            _starts(r"demand gen|lead gen|key account|(?:solutions?|customer) engineer|verkauf"),
            _inside("vertrieb"),
        ),
        (
            "security",
            "security",
            _words(
                r"security|secops|devsecops|appsec|infosec|securite|seguridad|sicurezza|seguranca|beveiliging"
                r"|penetration|red team|blue team|soc analyst|identity and access|iam|grc|privacy"
                r"|data protection|incident response"
            ),
            _starts("cyber|pentest|threat|vulnerabilit|datenschutz"),
            _inside("sicherheit"),
        ),
        ("datacenter", "platform", _words(r"data ?cent(?:er|re)s?"), _starts("rechenzentr")),
        (
            "data-ai",
            "data_ai",
            _words(
                r"data|datos|dados|donnees|dati|databases?|big data|analytics?|machine learning|mlops|dataops"
                r"|ai|ki|artificial intelligence|intelligence artificielle|inteligencia artificial"
                r"|kunstliche intelligenz|genai|llms?|nlp|natural language|computer vision|deep learning"
                r"|scientist|bi|business intelligence|etl|insights"
            ),
            _starts("statistic"),
            _inside(r"daten(?= )"),
        ),
        (
            "other-ops",
            "other",
            _words(
                r"(?:business|people|finance|financial|hr|legal|clinical|retail|store|supply chain|marketing)"
                r" operations"
            ),
        ),
        (
            "sre",
            "sre",
            _words(
                r"site reliability|reliability|operations|observability|monitoring|incident|on call|noc|aiops"
                r"|exploitation|operaciones|operacoes|operazioni"
            ),
            _starts("production engineer"),
            _inside(r"betrieb(?= )"),
        ),
        (
            "platform",
            "platform",
            _words(
                r"platforms?|plateformes?|plataformas?|piattaforma|infrastructures?|infraestructura"
                r"|infraestrutura|infrastruttura|devops|gitops|finops|netops|kubernetes|containers?|systems?"
                r"|system administrator|reseaux?|redes|linux|unix|virtuali[sz]ation|storage|datacenter|it|ict|ti"
                r"|information technology|informatique|informatica|informatik|edv|chief information officer"
                r"|systemes d information|sistemas|release|ci cd|build|developer (?:experience|productivity)"
                r"|tooling|middleware|mainframe|servers?|hosting|service desk|help ?desk"
            ),
            _starts("network|netzwerk"),
            _inside("plattform|infrastruktur|cloud|systemadministrat"),
        ),
        (
            "product",
            "product",
            _starts(
                r"(?:(?:product|produit|producto|prodotto|produto)s?|produkt\w*)(?= )"
                r"(?! (?:security|engineer|develop|support))"
            ),
            _words(r"ux|ui|user experience|designer|design|product owner"),
            _starts("user research"),
        ),
        (
            "other-engineering",
            "other",
            _starts(
                r"(?:mechanical|electrical|civil|chemical|hardware|manufacturing|process|industrial|structural"
                r"|biomedical|aerospace) engineer"
            ),
        ),
        (
            "app-dev",
            "app_dev",
            _words(
                r"software|logiciels?|swe|sde|backend|frontend|fullstack|web|mobile|ios|android|applications?"
                r"|apps?|developers?|development|coder|coding|research and development|quality assurance"
                r"|developer relations|developer advocate|evangelist|scrum master|agile coach|hacker|api|java"
                r"|python|golang|javascript|typescript"
            ),
            _starts(r"developpe|desarroll|desenvolv|svilupp|ontwikkel|programm|programador|test"),
            _inside("entwickl|applikation"),
        ),
        # Generic words ("Engineer", "Technical", "Architect"): app_dev unless a respelt word says better.
        (
            "engineering",
            "app_dev",
            _words(r"engineering|engineers?|technology|technical|technique|tecnic[oa]|tecnologia"),
            _starts(r"ingenier|ingegner|engenh|technologie|technisch|arquitect"),
            _inside(r"ingenieur|archite(?:ct|kt)"),
        ),
    )
)

# --- 3. fuzzy fallback and spelling ---------------------------------------------------------------

CANONICAL_TITLES: dict[str, tuple[str, str]] = {
    "software engineer": ("ic", "app_dev"),
    "software developer": ("ic", "app_dev"),
    "backend engineer": ("ic", "app_dev"),
    "frontend engineer": ("ic", "app_dev"),
    "fullstack developer": ("ic", "app_dev"),
    "web developer": ("ic", "app_dev"),
    "mobile developer": ("ic", "app_dev"),
    "quality assurance engineer": ("ic", "app_dev"),
    "developer advocate": ("ic", "app_dev"),
    "software architect": ("senior_ic", "app_dev"),
    "solutions architect": ("senior_ic", "app_dev"),
    "engineering manager": ("manager", "app_dev"),
    "director of engineering": ("director", "app_dev"),
    "chief technology officer": ("c_level", "app_dev"),
    "platform engineer": ("ic", "platform"),
    "infrastructure engineer": ("ic", "platform"),
    "cloud engineer": ("ic", "platform"),
    "cloud architect": ("senior_ic", "platform"),
    "devops engineer": ("ic", "platform"),
    "system administrator": ("ic", "platform"),
    "network engineer": ("ic", "platform"),
    "site reliability engineer": ("ic", "sre"),
    "operations engineer": ("ic", "sre"),
    "security engineer": ("ic", "security"),
    "security analyst": ("ic", "security"),
    "security architect": ("senior_ic", "security"),
    "data engineer": ("ic", "data_ai"),
    "data scientist": ("ic", "data_ai"),
    "data analyst": ("ic", "data_ai"),
    "machine learning engineer": ("ic", "data_ai"),
    "product manager": ("manager", "product"),
    "product designer": ("ic", "product"),
    "account executive": ("ic", "sales_marketing"),
    "account manager": ("manager", "sales_marketing"),
    "sales manager": ("manager", "sales_marketing"),
    "marketing manager": ("manager", "sales_marketing"),
    "project manager": ("manager", "other"),
    "consultant": ("ic", "other"),
    "recruiter": ("ic", "other"),
    "founder": ("founder", "other"),
    "student": ("student", "other"),
    "intern": ("student", "other"),
}
_CANONICAL = [utils.default_process(title) for title in CANONICAL_TITLES]
_CANONICAL_VALUES = list(CANONICAL_TITLES.values())


# Words a misspelt token may be corrected to. Seniority words are deliberately absent ("resident" must not
# become "president", "directory" must not become "director").
SPELLING_VOCABULARY = tuple(
    """software developer engineer engineering platform infrastructure security reliability operations
    kubernetes architect analyst scientist marketing product account executive consultant administrator
    network systems cloud devops machine learning analytics database frontend backend fullstack mobile
    application technology technical specialist designer development observability quality assurance
    business relations advocate evangelist researcher programmer manager management automation""".split()
)
_VOCABULARY_SET = frozenset(SPELLING_VOCABULARY)
_SPELLING_MIN_LENGTH = 5
_WEAK_FUNCTION_RULES = frozenset({"function:engineering"})


def _first(rules, padded: str) -> tuple[str, str] | None:
    """The (rule id, value) of the first rule with a pattern that occurs in the padded title."""
    for search, rule_id, value in rules:
        if search(padded):
            return rule_id, value
    return None


def _respell(expanded: str) -> str:
    """Replace each unknown token of 5+ letters by its nearest vocabulary word (ratio ≥ cutoff), if any."""
    tokens = expanded.split()
    for i, token in enumerate(tokens):
        if len(token) >= _SPELLING_MIN_LENGTH and token not in _VOCABULARY_SET and token.isalpha():
            best = process.extractOne(
                token, SPELLING_VOCABULARY, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
            )
            if best is not None:
                tokens[i] = best[0]
    return " ".join(tokens)


def _by_rules(expanded: str) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """The first seniority rule and the first function rule that match, or None for each."""
    padded = f" {expanded} "
    return _first(_SENIORITY_RULES, padded), _first(_FUNCTION_RULES, padded)


@lru_cache(maxsize=131_072)
def _profile(expanded: str) -> TitleProfile:
    """The profile of an already expanded title (cached: equal expansions share one result)."""
    if not expanded:
        return UNKNOWN
    seniority_hit, function_hit = _by_rules(expanded)
    strong = function_hit is not None and function_hit[0] not in _WEAK_FUNCTION_RULES
    if seniority_hit and strong:
        return TitleProfile(seniority_hit[1], function_hit[1], seniority_hit[0])
    if not seniority_hit:
        best = process.extractOne(
            expanded,
            _CANONICAL,
            scorer=fuzz.token_sort_ratio,
            processor=utils.default_process,
            score_cutoff=FUZZY_CUTOFF,
        )
        if best is not None:
            seniority, canonical_function = _CANONICAL_VALUES[best[2]]
            chosen = function_hit[1] if strong else canonical_function
            return TitleProfile(seniority, chosen, f"fuzzy:{int(best[1])}")
    # Misspelt words ("Senior Sofware Enginer", "Secuirty Engineer"): retry the rules once respelt, and
    # take from that pass only what the first one left undecided (or decided by a generic word only).
    suffix = ""
    respelt = _respell(expanded)
    if respelt != expanded:
        fixed_seniority, fixed_function = _by_rules(respelt)
        if not seniority_hit and fixed_seniority:
            seniority_hit, suffix = fixed_seniority, "+spelling"
        if (
            not strong
            and fixed_function
            and (function_hit is None or fixed_function[0] not in _WEAK_FUNCTION_RULES)
        ):
            function_hit, suffix = fixed_function, "+spelling"
    function = function_hit[1] if function_hit else "other"
    if seniority_hit:
        return TitleProfile(seniority_hit[1], function, seniority_hit[0] + suffix)
    if function != "other":
        return TitleProfile("ic", function, function_hit[0] + suffix)
    return UNKNOWN


@lru_cache(maxsize=131_072)
def title_profile(title: str | None) -> TitleProfile:
    """Seniority, function and deciding rule of one job title; never raises."""
    return _profile(expand(title or ""))


def title_profiles(titles: Iterable[str | None]) -> dict[str | None, TitleProfile]:
    """Profiles of many titles, each distinct title (and each distinct folded form) normalised once."""
    return {title: title_profile(title) for title in dict.fromkeys(titles)}
