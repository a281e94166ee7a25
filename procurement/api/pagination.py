"""Cursor pagination: stable under inserts; a malformed cursor is a 400, not a 404."""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class _Cursor(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {"cursor": ["Invalid cursor: use the next/previous links as given."]}
            ) from None


class PublishedTenderPagination(_Cursor):
    ordering = ("-published_at", "-id")


class ReleaseFeedPagination(_Cursor):
    ordering = ("date", "id")
