"""Cursor pagination: stable under inserts; a malformed or forged cursor is a 400, never a 404 or a 500."""

import datetime
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
INVALID_CURSOR = _("Invalid cursor: use the next/previous links as given.")


class _Cursor(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        # The cursor's position is checked against the field it is compared with (see decode_cursor).
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        # Base64 of our own links only: DRF's decoder silently skips other characters (a NUL byte, say).
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and not BASE64.fullmatch(encoded):
            raise ValidationError({"cursor": [INVALID_CURSOR]})
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({"cursor": [INVALID_CURSOR]}) from None
        if cursor is None or cursor.position is None:
            return cursor
        return cursor._replace(position=self._checked_position(cursor.position))

    def _checked_position(self, position: str) -> str:
        """The position as the database will take it, or a 400.

        A cursor is base64 text anyone can forge; its position goes straight into a WHERE clause, where an
        unparseable value raises Django's ValidationError (a 500) and a NUL byte or an offset beyond ±15:59
        is refused by PostgreSQL (a 500). Parse it with the ordering field and send it in UTC.
        """
        field = self._model._meta.get_field(self.ordering[0].lstrip("-"))
        try:
            if "\x00" in position:
                raise ValueError("NUL byte")
            value = field.to_python(position)
            if isinstance(value, datetime.datetime):
                # Ours always carry an offset; a forged naive one is read as UTC.
                value = value.astimezone(datetime.UTC) if value.tzinfo else value.replace(tzinfo=datetime.UTC)
            # Anything else (e.g. an id) must survive the same text round trip as the links we give.
            text = value.isoformat() if isinstance(value, datetime.date) else str(value)
        except (DjangoValidationError, ValueError, OverflowError, TypeError):
            raise ValidationError({"cursor": [INVALID_CURSOR]}) from None
        return text


class PublishedTenderPagination(_Cursor):
    ordering = ("-published_at", "-id")


class ReleaseFeedPagination(_Cursor):
    ordering = ("date", "id")
