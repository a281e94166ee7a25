"""Domain errors of scenario runs (kept apart from finance/exceptions.py, which the pooled-budget work owns)."""


class ScenarioError(Exception):
    """Base class: a request about financing scenarios that the rules refuse, in plain words."""


class NothingToRun(ScenarioError):
    """The tender bundles no assets: there is nothing to compare."""


class RunNotChoosable(ScenarioError):
    """Only a succeeded run's scenario can be chosen."""


class FinancingFrozen(ScenarioError):
    """The tender is approved or later: its financing can no longer change in place."""
