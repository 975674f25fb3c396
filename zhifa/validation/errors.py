"""The single error type raised by every ``parse_*`` / ``validate_*`` function in this package.

One type (a ``ValueError`` subclass) lets importers and API layers catch identifier problems
uniformly and report ``field: reason`` per row, in English or Chinese, without string parsing.
"""

from __future__ import annotations


class IdentifierError(ValueError):
    """An identifier failed validation.

    ``field`` names the input (``plate``, ``uscc``, ``id_number`` …), ``reason`` says what is
    wrong in English and ``reason_zh`` in Chinese, both suitable for showing to the person who
    typed the value.
    """

    field: str
    reason: str
    reason_zh: str

    def __init__(self, field: str, reason: str, reason_zh: str) -> None:
        # Pass all three to ValueError so the exception pickles (multiprocessing, task queues):
        # pickle re-creates it as cls(*self.args).
        super().__init__(field, reason, reason_zh)
        self.field = field
        self.reason = reason
        self.reason_zh = reason_zh

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"

    def __repr__(self) -> str:
        return f"IdentifierError({self.field!r}, {self.reason!r}, {self.reason_zh!r})"
