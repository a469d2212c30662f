"""Job titles → (seniority, function): fold, expand abbreviations, ordered rules, then a fuzzy fallback.

Pure and deterministic: no ORM, no I/O. Every result names the rule that decided it, so a score can say
"Seniority VP (from 'VP Eng', rule seniority:vice-president)".

Pipeline:

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

Rules read the expanded title padded with spaces and are anchored on a literal space (not ``\b``), so the
regex engine jumps from word to word; ``title_profile`` and the expanded-form step are both LRU-cached, and ``title_profiles`` works on distinct values only.

Choices worth knowing: "Owner"/"Inhaber" is ``founder``; architects are ``senior_ic``; "Lead" is
``manager``; developer relations/advocacy/evangelism is ``app_dev`` (a technical, developer-facing role,
not a seller; "developer marketing" stays ``sales_marketing``); IT and information systems (CIO, DSI) are
``platform``; a CTO's function is ``app_dev``; "Operations" alone is ``sre`` but sales/marketing/business
operations are not; "Directeur technique" (CTO) and "Directeur des systèmes d'information" (CIO) are
``c_level``, "Geschäftsführer"/"Managing Director"/"Directeur général" too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process, utils

from tracker.scoring import title_rules, title_words
from tracker.scoring.text import fold

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


# --- 1. folding and tokens --------------------------------------------------------------------------

_INITIALS = re.compile(r"\b[a-z](?:\.\s?[a-z])+\b\.?")  # v.p. / s.v.p. / c.t.o → vp / svp / cto
_PHRASES = [(re.compile(pattern), replacement) for pattern, replacement in title_words.PHRASES]
_ANY_PHRASE = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _PHRASES))  # one test for all
_AMPERSAND = re.compile(r"\s*&\s*")
_NON_WORD = re.compile(r"[\W_]+")


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
    return " ".join(title_words.ABBREVIATIONS.get(token, token) for token in text.split())


# --- 2. rules ---------------------------------------------------------------------------------------
# Rules read the expanded title padded with one space each side, so a leading " " anchors a word start
# and "(?= )" a word end. Patterns then begin with a literal space, which lets the regex engine jump from
# word to word instead of trying every character, as "\b" makes it.


def _word_pattern(kind: str, fragment: str) -> str:
    """A "words" fragment runs from a word start to a word end; a "starts" one from a word start only."""
    return f"(?:{fragment})(?= )" if kind == "words" else f"(?:{fragment})"


def _compile(prefix: str, rules) -> list[tuple[Callable[[str], re.Match[str] | None], str, str]]:
    """Flatten (rule, value, *parts) into (search, rule id, value) rows, word parts merged per rule: one
    pattern of its words first, then its raw patterns, then its "inside" fragments."""
    rows = []
    for rule, value, *parts in rules:
        words = [_word_pattern(kind, fragment) for kind, fragment in parts if kind in ("words", "starts")]
        inside = [fragment for kind, fragment in parts if kind == "inside"]
        patterns = [fragment for kind, fragment in parts if kind == "raw"]
        if words:
            patterns.insert(0, " (?:" + "|".join(words) + ")")
        if inside:
            patterns.append("|".join(inside))
        rows.extend((re.compile(pattern).search, f"{prefix}:{rule}", value) for pattern in patterns)
    return rows


_SENIORITY_RULES = _compile("seniority", title_rules.SENIORITY_RULES)
_FUNCTION_RULES = _compile("function", title_rules.FUNCTION_RULES)

# --- 3. fuzzy fallback and spelling ---------------------------------------------------------------

_CANONICAL = [utils.default_process(title) for title in title_words.CANONICAL_TITLES]
_CANONICAL_VALUES = list(title_words.CANONICAL_TITLES.values())


_VOCABULARY_SET = frozenset(title_words.SPELLING_VOCABULARY)
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
                token, title_words.SPELLING_VOCABULARY, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
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
