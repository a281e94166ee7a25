"""Demo city step (see finance/demo.py)."""


def load(*, log) -> None:
    log("nothing to load yet")
