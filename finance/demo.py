"""Demo city step (see departments/management/commands/load_demo_city.py for the order)."""


def load(*, log) -> None:
    # Filled by the issue that builds this part of the application.
    log("nothing to load yet")
