"""The `tender_ref` path converter: T-<year>-<number>, used by every route that takes a tender reference.

Only references match, so that other /tenders/… pages (public ones) are not shadowed, and anything else —
including a NUL byte, which PostgreSQL refuses in a query parameter — is a 404 before any view or query runs.
"""

from django.urls import register_converter


class TenderReferenceConverter:
    regex = r"T-\d{4}-\d{4,}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TenderReferenceConverter, "tender_ref")
