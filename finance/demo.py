"""Demo city, finance step: budget lines and contributions, then scenario runs on the demo tenders."""

from . import demo_budgets, demo_scenarios


def load(*, log) -> None:
    demo_budgets.load(log=log)
    demo_scenarios.load(log=log)
