"""Read-only API of published tenders (plus partners' clarification questions). Thin: selectors do the work.

Every route starts from `tender_list_published()`: an unpublished tender is a 404, exactly like a missing one.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from config.spreadsheets import csv_writer
from procurement.api import serializers as s
from procurement.api.authentication import partner_of
from procurement.api.filters import PublishedTenderFilter, ReleaseFeedFilter
from procurement.api.pagination import PublishedTenderPagination, ReleaseFeedPagination
from procurement.publication import selectors
from procurement.publication.exceptions import QuestionNotAllowed
from procurement.publication.services import question_ask

LIST_CACHE_SECONDS = 60
REFERENCE = OpenApiParameter("reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="Tender id.")


class IsPartner(permissions.BasePermission):
    message = _("Partners only: send 'Authorization: Token <key>'.")

    def has_permission(self, request, view):
        return partner_of(request) is not None


class _Echo:
    def write(self, value):
        return value


def _etag(value: str) -> str:
    return f'"{value}"'


def _not_modified(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in candidates or etag in candidates


def _conditional(request, etag: str, render) -> Response:
    """304 with the ETag when the client has the current version: nothing is built or rendered then."""
    if _not_modified(request, etag):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    response = render()
    response["ETag"] = etag
    return response


@extend_schema(parameters=[REFERENCE])
class PublishedTenderViewSet(viewsets.GenericViewSet):
    """Published tenders. Partners and the public read the same data."""

    lookup_field = "reference"
    lookup_value_regex = r"[A-Za-z0-9._-]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = PublishedTenderFilter
    pagination_class = PublishedTenderPagination
    serializer_class = s.TenderSummarySerializer

    def get_queryset(self):
        return selectors.tender_list_published_with_latest()

    def _published(self):
        tender = selectors.tender_get_published(reference=self.kwargs["reference"])
        if tender is None:
            raise Http404
        return tender

    @extend_schema(
        parameters=[
            OpenApiParameter("page_size", OpenApiTypes.INT, description="1–100, default 20."),
        ],
        responses={200: s.TenderSummarySerializer(many=True), 400: OpenApiResponse(description="Bad filter")},
    )
    def list(self, request):
        # Published data only changes when a release is appended, so a rendered page is cached under the
        # latest release id (and for at most LIST_CACHE_SECONDS, for edits of filter-only data such as an
        # outcome's theme). A hit costs one query and no rendering; a miss three queries, whatever the size.
        # Within the published version's memo (≤ 1 s) a page this process served is its own copy: no query
        # and no round trip to the shared cache (publication/selectors.py).
        version = selectors.published_version()
        # Links in the page are absolute: the host is part of what the page depends on.
        page_id = hashlib.sha256(f"{request.get_host()} {request.get_full_path()}".encode()).hexdigest()
        etag = _etag(f"{version}-{page_id[:20]}")
        if _not_modified(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        key = f"api:v1:tenders:{version}:{page_id}"
        body = selectors.page_copy(key) or cache.get(key)
        if body is None:
            queryset = self.filter_queryset(self.get_queryset())
            page = self.paginate_queryset(queryset)
            rows = selectors.tender_summaries(tenders=page)
            detail_url = reverse("api:tender-detail", args=["__ref__"], request=request)
            for row in rows:
                row["url"] = detail_url.replace("__ref__", row["id"])
            response = self.get_paginated_response(rows)
            body = JSONRenderer().render(response.data)
            cache.set(key, body, LIST_CACHE_SECONDS)
        selectors.keep_page_copy(key, body)
        return HttpResponse(body, content_type="application/json", headers={"ETag": etag})

    @extend_schema(responses={200: s.TenderDetailSerializer, 304: None, 404: None})
    def retrieve(self, request, reference=None):
        tender = self._published()
        release = selectors.latest_release(tender=tender)
        tender.latest_release = release

        def render():
            return Response(s.TenderDetailSerializer(tender, context={"request": request}).data)

        return _conditional(request, _etag(release.content_hash), render)

    @extend_schema(
        summary="Release package of a tender",
        responses={200: OpenApiTypes.OBJECT, 304: None, 404: None},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def releases(self, request, reference=None):
        tender = self._published()
        etag = _etag(selectors.tender_releases_etag(tender=tender))

        def render():
            data = [r.data for r in selectors.release_list_for_tender(tender=tender)]
            return Response(selectors.release_package(releases=data, uri=request.build_absolute_uri()))

        return _conditional(request, etag, render)

    @extend_schema(
        summary="Compiled record of a tender (releases merged per OCDS rules)",
        responses={200: OpenApiTypes.OBJECT, 304: None, 404: None},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def record(self, request, reference=None):
        tender = self._published()
        etag = _etag(selectors.tender_releases_etag(tender=tender))

        def render():
            return Response(selectors.record_package(tender=tender, uri=request.build_absolute_uri()))

        return _conditional(request, etag, render)

    @extend_schema(
        methods=["GET"],
        summary="Clarification questions and their answers",
        responses={200: s.QuestionSerializer(many=True), 404: None},
    )
    @extend_schema(
        methods=["POST"],
        summary="Ask a clarification question (partners only)",
        request=s.QuestionSerializer,
        responses={201: s.QuestionSerializer, 400: None, 401: None, 403: None, 404: None},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def questions(self, request, reference=None):
        tender = self._published()
        partner = partner_of(request)
        if request.method == "POST":
            if partner is None:
                self.permission_denied(request, message=IsPartner.message)
            serializer = s.QuestionSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            try:
                item = question_ask(
                    tender=tender,
                    organisation=partner.organisation,
                    question=serializer.validated_data["question"],
                )
            except QuestionNotAllowed as error:
                raise ValidationError({"question": [str(error)]}) from None
            return Response(s.QuestionSerializer(item).data, status=status.HTTP_201_CREATED)
        if partner is not None:
            items = selectors.questions_for_partner(tender=tender, organisation=partner.organisation)
        else:
            items = selectors.questions_published(tender=tender)
        return Response(s.QuestionSerializer(items, many=True).data)

    @extend_schema(
        summary="Bundled asset inventory as CSV (partners only)",
        responses={(200, "text/csv"): OpenApiTypes.STR, 401: None, 403: None, 404: None},
    )
    @action(detail=True, methods=["get"], permission_classes=[IsPartner], filter_backends=[])
    def assets(self, request, reference=None):
        tender = self._published()
        writer = csv_writer(_Echo())  # no asset name can become a formula in the partner's spreadsheet

        def rows():
            yield writer.writerow(selectors.ASSET_CSV_COLUMNS)
            for row in selectors.tender_asset_rows(tender=tender):
                yield writer.writerow(row)

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{tender.reference}-assets.csv"'
        return response

    @extend_schema(
        summary="Financing assumptions and the chosen scenario's summary (partners only)",
        responses={200: s.SharedScenarioSerializer, 401: None, 403: None, 404: None},
    )
    @action(detail=True, methods=["get"], permission_classes=[IsPartner], filter_backends=[])
    def scenario(self, request, reference=None):
        tender = self._published()
        found = selectors.chosen_scenario(tender=tender) or {}
        choice, summary = found.get("choice"), found.get("summary")
        data = {
            "assumptions": found.get("assumptions"),
            "chosen_scenario": choice.scenario if choice else None,
            "summary": summary,
        }
        return Response(s.SharedScenarioSerializer(data).data)


class ReleaseFeedView(generics.ListAPIView):
    """Change feed: every release of every published tender, oldest first (follow `next`)."""

    serializer_class = s.ReleaseFeedSerializer
    pagination_class = ReleaseFeedPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReleaseFeedFilter

    def get_queryset(self):
        return selectors.release_list_published().select_related("tender")

    @extend_schema(
        parameters=[OpenApiParameter("page_size", OpenApiTypes.INT, description="1–100, default 20.")],
        responses={200: s.ReleaseFeedSerializer(many=True), 400: OpenApiResponse(description="Bad filter")},
    )
    def get(self, request, *args, **kwargs):
        # The feed only changes when a release is appended: its ETag is the latest release id and the page.
        page_id = hashlib.sha256(f"{request.get_host()} {request.get_full_path()}".encode()).hexdigest()
        etag = _etag(f"{selectors.published_version()}-{page_id[:20]}")
        if _not_modified(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        response = super().get(request, *args, **kwargs)
        response["ETag"] = etag
        return response


class ApiRootView(generics.GenericAPIView):
    """What this API offers: its endpoints, the OpenAPI schema and the interactive documentation."""

    filter_backends: list = []

    @extend_schema(responses={200: OpenApiResponse(description="The list of endpoints")})
    def get(self, request):
        def url(name: str, *args) -> str:
            return reverse(name, args=args, request=request)

        return Response(
            {
                "version": "v1",
                "description": "Published integrated tenders as OCDS 1.1.5 releases, for partners and the public.",
                "endpoints": {
                    "tenders": url("api:tender-list"),
                    "releases": url("api:release-feed"),
                },
                "schema": url("api-schema"),
                "docs": url("api-docs"),
            }
        )
