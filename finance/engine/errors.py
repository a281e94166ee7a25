"""The engine's one error type: every problem found in the inputs, in plain words."""

from __future__ import annotations


class EngineError(ValueError):
    """Raised once with *every* problem found, so a user can fix them all in one go.

    ``problems`` is a list of plain-words sentences, e.g. ``"horizon must be between 1 and 60 years (got 80)"``.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("; ".join(self.problems) if self.problems else "invalid engine input")
