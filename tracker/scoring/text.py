"""Text compared the way people mean it: case, accents and spacing aside. Pure."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


def strip_accents(text: str) -> str:
    """Drop combining marks after NFKD ("é" → "e") and straighten typographic apostrophes."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("\u2019", "'")


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Casefold, strip accents and collapse whitespace (idempotent): the key every comparison uses."""
    return " ".join(fold_text(text).split())


@lru_cache(maxsize=512)
def fold_text(text: str) -> str:
    """Fold free text, keeping its line breaks (clause boundaries for keyword search)."""
    folded = strip_accents(text.casefold())
    # Until it settles: casefold can yield decomposable characters, and NFKD capitals ("𝐀" → "A").
    while (again := strip_accents(folded.casefold())) != folded:
        folded = again
    return folded
