"""Input clean-up shared by the identifier parsers (private)."""

from __future__ import annotations

import unicodedata

# Separators people type or OCR engines emit inside identifiers. NFKC already folds full-width
# forms (U+3000 ideographic space -> space, U+FF0D -> '-', U+FF65 -> U+30FB), so only the
# canonical forms need listing: middle dot, bullet, katakana middle dot, hyphenation point,
# dot operator, hyphen-minus and the Unicode hyphens / dashes.
SEPARATORS = frozenset("·•・‧⋅-‐‑‒–—")
_DROP_SEPARATORS = str.maketrans("", "", "".join(SEPARATORS))


def fold(text: str) -> str:
    """NFKC-fold (full-width letters/digits to ASCII), drop all whitespace, uppercase ASCII."""
    folded = text if text.isascii() else unicodedata.normalize("NFKC", text)
    return "".join(folded.split()).upper()


def fold_drop_separators(text: str) -> str:
    """:func:`fold`, then also remove the separators in :data:`SEPARATORS`."""
    return fold(text).translate(_DROP_SEPARATORS)
