import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _language_reset():
    """A request with Accept-Language leaves its language active in this thread: start and end in English."""
    translation.deactivate()
    yield
    translation.deactivate()
