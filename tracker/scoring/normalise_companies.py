"""Company names and email domains → comparable keys, and resolving a lead's company to a sponsor account.

Pure and deterministic: no ORM, no I/O, no network. The public-suffix, free-mail and academic tables are
small built-in tables covering the usual cases, not the full lists (no data download at run time):

- ``company_key``: fold (case, accents, full-width), join dotted/slashed initials ("S.A." → "sa", "A/S" →
  "as"), a spaced "&" becomes "and" ("AT&T" → "att"), punctuation becomes spaces; then, until nothing
  changes, drop a leading "the" and trailing legal forms, "group"/"holding(s)" and a dangling "and"
  (so stacked forms go: "Acme GmbH & Co. KG" → "acme"), never the last word. Idempotent.
- ``email_domain``: the registrable domain; a public suffix is two labels when the TLD has two letters and
  the label before it is a generic second level (co, com, org, net, ac, edu, gov…: co.uk, com.au, ac.jp),
  otherwise one label.
- ``is_free_mail``: a listed domain, or a brand free under any suffix (hotmail.*, yahoo.*, gmx.*…).
- ``is_academic``: .edu, ac.*/edu.* second levels, a short list of universities and institutes,
  "universit"/"hochschule" in the name, or a uni-/tu-/fh-/hs-/th-/univ- name under .de/.at/.ch/.fr.
- ``CompanyResolver``: exact registrable domain (never a free-mail one), then exact key, then the best
  ``token_sort_ratio`` ≥ 88 between keys (never partial_ratio/WRatio). Scores of 80–88 are not matched.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from tracker.scoring.text import fold

NAME_FUZZY_CUTOFF = 88

# --- company keys ----------------------------------------------------------------------------------

# Legal forms, removed from the end of a name, repeatedly ("GmbH & Co. KG", "Pty Ltd", "S.A. de C.V.").
LEGAL_SUFFIXES = frozenset(
    """inc incorporated llc llp lp ltd limited plc corp corporation co company cie gmbh mbh ag kg kgaa ohg ug
    ev ek se sas sasu sarl sa sca snc eurl bv nv vof cv oy oyj ab publ asa as aps kk gk yk pty pte pvt private
    srl spa sl slu sapi lda ltda bhd sdn ooo oao zao pao pjsc jsc kft zrt sro doo ad
    """.split()
)
LEGAL_SUFFIX_SEQUENCES = (("sa", "de", "cv"), ("s", "de", "rl"), ("sp", "z", "oo"), ("and", "cie"))
WEAK_WORDS = frozenset({"group", "holding", "holdings"})
_CONNECTORS = frozenset({"and"})

_INITIALISM = re.compile(r"(?<![^\W\d_])[^\W\d_](?:[./][^\W\d_])+(?![^\W\d_])\.?")  # s.a. b.v. a/s k.k.
_AMPERSAND = re.compile(r"\s+&\s+|\s+&|&\s+")  # a spaced "&" is "and"; "AT&T" stays one word
_NON_WORD = re.compile(r"[\W_]+")
_BARE_DOMAIN = re.compile(r"^([^\W_][\w-]*)\.(?:com|net|org|io|ai|co|dev|app|tech|cloud)$")


def _strip_affixes(tokens: list[str]) -> list[str]:
    """Drop leading "the" and trailing legal forms, weak words and dangling "and", keeping one token."""
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        if tokens[0] == "the":
            tokens, changed = tokens[1:], True
            continue
        for sequence in LEGAL_SUFFIX_SEQUENCES:
            n = len(sequence)
            if len(tokens) > n and tuple(tokens[-n:]) == sequence:
                tokens, changed = tokens[:-n], True
                break
        else:
            last = tokens[-1]
            if last in LEGAL_SUFFIXES or last in WEAK_WORDS or last in _CONNECTORS:
                tokens, changed = tokens[:-1], True
    return tokens


def company_key(name: str | None) -> str:
    """A comparable company key: folded, punctuation-free, without legal forms ("Acme, Inc." → "acme")."""
    text = fold(name or "")
    text = _BARE_DOMAIN.sub(r"\1", text)  # "Booking.com" → "booking"
    text = _INITIALISM.sub(lambda m: re.sub(r"[./]", "", m.group()), text)
    text = _AMPERSAND.sub(" and ", text).replace("&", "")
    return " ".join(_strip_affixes(_NON_WORD.sub(" ", text).split()))


# --- domains ---------------------------------------------------------------------------------------

# Second-level labels that, under a two-letter country TLD, form a public suffix (co.uk, com.au, ac.jp…).
_SECOND_LEVEL = frozenset(
    "co com net org edu ac gov gob go or ne ed mil nic sch ltd plc gv govt nom me".split()
)
_ACADEMIC_SECOND_LEVEL = frozenset({"edu", "ac"})

FREE_MAIL_DOMAINS = frozenset(
    """gmail.com googlemail.com outlook.com msn.com live.com passport.com aol.com aim.com icloud.com me.com
    mac.com ymail.com rocketmail.com proton.me protonmail.com protonmail.ch pm.me tutanota.com tutanota.de
    tuta.io tuta.com fastmail.com fastmail.fm hey.com zohomail.com mail.com email.com inbox.com gmx.com
    gmx.net gmx.de gmx.at gmx.ch web.de freenet.de t-online.de arcor.de posteo.de mailbox.org online.de
    mail.ru bk.ru list.ru inbox.ru rambler.ru ya.ru ukr.net qq.com foxmail.com 163.com 126.com yeah.net
    sina.com sina.cn sohu.com aliyun.com naver.com daum.net hanmail.net rediffmail.com orange.fr wanadoo.fr
    free.fr laposte.net sfr.fr neuf.fr bbox.fr libero.it virgilio.it tiscali.it alice.it seznam.cz wp.pl
    o2.pl interia.pl onet.pl bol.com.br uol.com.br terra.com.br ig.com.br comcast.net verizon.net att.net
    sbcglobal.net bellsouth.net cox.net charter.net btinternet.com sky.com virginmedia.com ntlworld.com
    talktalk.net bigpond.com optusnet.com.au shaw.ca rogers.com sympatico.ca videotron.ca telenet.be
    skynet.be ziggo.nl kpnmail.nl planet.nl home.nl bluewin.ch hispeed.ch aon.at chello.at
    mail.example""".split()
)
# Brands free under any public suffix: hotmail.co.uk, yahoo.fr, gmx.es, yandex.kz…
FREE_MAIL_BRANDS = frozenset({"hotmail", "outlook", "live", "yahoo", "gmx", "yandex"})

ACADEMIC_DOMAINS = frozenset(
    """ethz.ch epfl.ch uzh.ch unibas.ch unibe.ch unige.ch unil.ch unisg.ch unifr.ch unine.ch usi.ch tum.de
    lmu.de kit.edu rwth-aachen.de mpg.de helmholtz.de unimi.it unibo.it uniroma1.it unipd.it unito.it
    polimi.it polito.it kuleuven.be ugent.be uva.nl vu.nl tudelft.nl tue.nl utwente.nl uu.nl rug.nl ru.nl
    eur.nl ku.dk dtu.dk au.dk kth.se chalmers.se lu.se uu.se su.se ntnu.no uio.no helsinki.fi aalto.fi
    inria.fr cnrs.fr ens.fr ens-lyon.fr polytechnique.fr cern.ch upc.edu uam.es ucm.es upm.es uc3m.es
    unam.mx usp.br unicamp.br utoronto.ca ubc.ca mcgill.ca uwaterloo.ca ualberta.ca umontreal.ca ulaval.ca
    queensu.ca yorku.ca sfu.ca uottawa.ca""".split()
)
# Label prefixes of German-speaking universities and universities of applied science (uni-mannheim.de).
_ACADEMIC_PREFIXES = ("uni-", "univ-", "tu-", "fh-", "hs-", "th-")
_ACADEMIC_PREFIX_TLDS = frozenset({"de", "at", "ch", "fr"})


def _labels(domain: str) -> list[str]:
    """The non-empty lower-case labels of a domain, or of the part of an address after its last "@"."""
    text = fold(domain or "").strip().strip("<>").rsplit("@", 1)[-1]
    text = "".join(text.split()).split("/", 1)[0].split(":", 1)[0]  # tolerate a URL host or host:port
    return [label for label in text.strip(". ").split(".") if label]


def _suffix_length(labels: list[str]) -> int:
    """How many trailing labels form the public suffix: 2 for co.uk/com.au/ac.jp, else 1."""
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return 2
    return 1


def email_domain(email: str | None) -> str:
    """The registrable domain of an address or domain, lower-cased ("Jo@mail.acme.co.uk" → "acme.co.uk")."""
    labels = _labels(email or "")
    if len(labels) < 2:
        return ""
    return ".".join(labels[-(_suffix_length(labels) + 1) :])


_registrable = email_domain  # CompanyResolver.resolve's parameter shadows the name


def domain_company_key(domain: str | None) -> str:
    """The company key a domain suggests ("acme.io" → "acme", "mail.acme.co.uk" → "acme")."""
    labels = email_domain(domain).split(".")
    if len(labels) < 2:
        return ""
    return company_key(labels[-(_suffix_length(labels) + 1)].replace("-", " "))


def is_free_mail(domain: str | None) -> bool:
    """Whether a domain (or address) belongs to a free or consumer mailbox provider."""
    registrable = email_domain(domain)
    if not registrable:
        return False
    if registrable in FREE_MAIL_DOMAINS:
        return True
    labels = registrable.split(".")
    return len(labels) >= 2 and labels[-(_suffix_length(labels) + 1)] in FREE_MAIL_BRANDS


def is_academic(domain: str | None) -> bool:
    """Whether a domain (or address) belongs to a university or research institute."""
    registrable = email_domain(domain)
    labels = registrable.split(".")
    if len(labels) < 2:
        return False
    if labels[-1] == "edu" or (_suffix_length(labels) == 2 and labels[-2] in _ACADEMIC_SECOND_LEVEL):
        return True
    if registrable in ACADEMIC_DOMAINS:
        return True
    name = labels[-(_suffix_length(labels) + 1)]
    if "universit" in name or "hochschule" in name:
        return True
    return labels[-1] in _ACADEMIC_PREFIX_TLDS and name.startswith(_ACADEMIC_PREFIXES)


# --- resolving a lead's company to an account ------------------------------------------------------


def _sorted_words(text: str) -> str:
    """``utils.default_process`` then words sorted: what ``fuzz.token_sort_ratio`` compares."""
    return " ".join(sorted(utils.default_process(text).split()))


@dataclass(frozen=True, slots=True)
class Match:
    """The account a lead's company resolved to, how ("domain acme.io", "name acme", "fuzzy 92"), and the score."""

    account_id: Hashable
    method: str
    score: int


class CompanyResolver:
    """Resolves (company name, email domain) to one of a sponsor's accounts: domain, then key, then fuzzy."""

    def __init__(self, accounts: Iterable[tuple[Hashable, str, Iterable[str]]]):
        """Index accounts given as (account_id, name, domains); on a clash the first account wins."""
        self._by_domain: dict[str, Hashable] = {}
        self._by_key: dict[str, Hashable] = {}
        for account_id, name, domains in accounts:
            if isinstance(domains, str):  # tolerate "acme.io, acme.de" where a list was meant
                domains = domains.replace(",", " ").split()
            for raw in domains or ():
                domain = email_domain(raw)
                if domain and not is_free_mail(domain):
                    self._by_domain.setdefault(domain, account_id)
            key = company_key(name)
            if key:
                self._by_key.setdefault(key, account_id)
        # token_sort_ratio(a, b) is ratio(sorted words of a, sorted words of b): keys are processed and
        # sorted once here, and once per query, instead of on every comparison. Sorted by length, so a
        # query only meets keys long or short enough to possibly reach the cutoff.
        by_length = sorted(
            (len(words), words, key) for key in self._by_key for words in (_sorted_words(key),)
        )
        self._lengths = [length for length, _, _ in by_length]
        self._choices = [words for _, words, _ in by_length]
        self._choice_keys = [key for _, _, key in by_length]
        self._fuzzy: dict[str, Match | None] = {}

    def resolve(self, company: str | None, email_domain: str | None = "") -> Match | None:
        """The matching account, or None; free-mail domains never match by domain."""
        domain = _registrable(email_domain)
        if domain and domain in self._by_domain and not is_free_mail(domain):
            return Match(self._by_domain[domain], f"domain {domain}", 100)
        key = company_key(company)
        if not key:
            return None
        if key in self._by_key:
            return Match(self._by_key[key], f"name {key}", 100)
        if key not in self._fuzzy:
            self._fuzzy[key] = self._closest(key)
        return self._fuzzy[key]

    def _closest(self, key: str) -> Match | None:
        """The account whose key is nearest by token_sort_ratio, at or above the cutoff."""
        query = _sorted_words(key)
        # ratio = 2·common / (len a + len b) ≥ c needs c/(2−c) ≤ len b / len a ≤ (2−c)/c (±1 for rounding).
        c = NAME_FUZZY_CUTOFF / 100
        low = bisect_left(self._lengths, int(len(query) * c / (2 - c)) - 1)
        high = bisect_right(self._lengths, int(len(query) * (2 - c) / c) + 1)
        best = process.extractOne(
            query, self._choices[low:high], scorer=fuzz.ratio, score_cutoff=NAME_FUZZY_CUTOFF
        )
        if best is None:
            return None
        score = int(best[1])
        return Match(self._by_key[self._choice_keys[low + best[2]]], f"fuzzy {score}", score)
