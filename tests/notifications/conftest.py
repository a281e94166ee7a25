from tests.procurement.fixtures import *  # noqa: F403 — the tender drafting fixtures
