"""The engine's one error type: every problem found in the inputs, in plain words."""

from __future__ import annotations

from typing import Any


class Problem(str):
    """One problem: its plain-English sentence (the string itself), a stable ``code`` and the ``params`` the
    sentence was made from (JSON-able: text, numbers, lists of text).

    The engine is pure and speaks English only; code outside it that must say a problem in the user's language
    maps ``code`` to a translated sentence and fills it from ``params`` (finance/scenario_text.py). A problem
    compares, joins and prints like the sentence it is, so callers that only need English see no difference.
    """

    code: str
    params: dict[str, Any]

    def __new__(cls, text: str, code: str = "", params: dict[str, Any] | None = None) -> Problem:
        obj = super().__new__(cls, text)
        obj.code = code
        obj.params = dict(params or {})
        return obj


def problem(code: str, text: str, **params: Any) -> Problem:
    """A :class:`Problem` with its code and parameters: ``problem("seed_negative", f"...", value=-1)``."""
    return Problem(text, code, params)


class EngineError(ValueError):
    """Raised once with *every* problem found, so a user can fix them all in one go.

    ``problems`` is a list of plain-words sentences, e.g. ``"horizon must be between 1 and 60 years (got 80)"``;
    each is a :class:`Problem` carrying a code and parameters (a plain string has no code: English only).
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("; ".join(self.problems) if self.problems else "invalid engine input")
