"""Partner API of proposals: /api/v1/tenders/{reference}/proposals/… and …/evaluation/. Thin: services decide.

Reading needs a partner token (scope `read` or `propose`); submitting, replacing and withdrawing need `propose`.
A partner only ever sees its own organisation's proposals: another organisation's proposal is a 404.
"""

from __future__ import annotations

import base64
import binascii

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.api.authentication import partner_of
from procurement.models import ApiToken
from procurement.proposals import selectors, services
from procurement.proposals.exceptions import ProposalError, ProposalInvalid
from procurement.publication.selectors import tender_get_published


class IsPartner(permissions.BasePermission):
    message = gettext_lazy("Partners only: send 'Authorization: Token <key>'.")

    def has_permission(self, request, view):
        return partner_of(request) is not None


class CanPropose(permissions.BasePermission):
    """Writes need a token with the `propose` scope (reads need any partner token)."""

    message = gettext_lazy(
        "This token has the 'read' scope: submitting, replacing or withdrawing proposals needs 'propose'."
    )

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        partner = partner_of(request)
        return partner is not None and partner.token.scope == ApiToken.Scope.PROPOSE


class DocumentSerializer(serializers.Serializer):
    filename = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    content_base64 = serializers.CharField()


class ProposalInSerializer(serializers.Serializer):
    """Figures in the engine's terms (DESIGN §12); money and shares as strings."""

    financing_model = serializers.CharField()
    figures = serializers.DictField(child=serializers.CharField(allow_blank=True, allow_null=True))
    at_risk_share = serializers.CharField()
    targets = serializers.ListField(child=serializers.DictField())
    summary = serializers.CharField(required=False, allow_blank=True)
    documents = DocumentSerializer(many=True, required=False)


def _error_response(error: ProposalError) -> Response:
    return Response({"detail": error.message, "errors": error.errors}, status=error.status_code)


def _documents(request) -> list[services.DocumentUpload]:
    uploads = []
    problems = []
    for index, item in enumerate(request.data.get("documents") or [], start=1):
        try:
            data = base64.b64decode(item.get("content_base64", ""), validate=True)
        except (binascii.Error, ValueError, AttributeError):
            problems.append(_("Document %(index)s: content_base64 is not valid base64.") % {"index": index})
            continue
        uploads.append(services.DocumentUpload(item.get("filename", ""), data, item.get("title", "")))
    if problems:
        raise ProposalInvalid(_("The proposal was not accepted."), errors={"documents": problems})
    return uploads


def _content(request) -> dict:
    data = request.data if isinstance(request.data, dict) else {}
    return {k: v for k, v in data.items() if k != "documents"}


def proposal_json(proposal, *, organisation) -> dict:
    versions = list(proposal.versions.order_by("number"))
    current = versions[-1]
    body = {
        "id": proposal.pk,
        "tender": proposal.tender.reference,
        "status": proposal.status,
        "receipts": [selectors.receipt(v) for v in versions],
        "content": None,
    }
    if current.kind != current.Kind.WITHDRAW:
        body["content"] = selectors.proposal_content(version=current, organisation=organisation)
    return body


class _TenderMixin:
    permission_classes = [IsPartner, CanPropose]

    def tender(self, reference: str):
        tender = tender_get_published(reference=reference)
        if tender is None:
            raise Http404
        return tender


REFERENCE = OpenApiParameter("reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="Tender id.")
PROPOSAL_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Proposal id.")


@extend_schema(tags=["proposals"], parameters=[REFERENCE])
class ProposalListView(_TenderMixin, APIView):
    @extend_schema(
        summary="Your organisation's proposals to this tender", responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request, reference: str):
        partner = partner_of(request)
        tender = self.tender(reference)
        proposal = selectors.proposal_of_organisation(tender=tender, organisation=partner.organisation)
        rows = [proposal_json(proposal, organisation=partner.organisation)] if proposal else []
        return Response({"results": rows})

    @extend_schema(
        operation_id="tender_proposal_submit",
        summary="Submit a proposal (token scope 'propose')",
        request=ProposalInSerializer,
        responses={
            201: OpenApiResponse(description="The receipt: sha256 of the canonical content and server time."),
            400: OpenApiResponse(description="Every problem, by field."),
            403: None,
            409: OpenApiResponse(description="After the deadline, or a proposal already stands."),
        },
    )
    def post(self, request, reference: str):
        partner = partner_of(request)
        tender = self.tender(reference)
        try:
            version = services.proposal_submit(
                tender=tender,
                organisation=partner.organisation,
                content=_content(request),
                documents=_documents(request),
                token=partner.token,
            )
        except ProposalError as error:
            return _error_response(error)
        return Response(selectors.receipt(version), status=status.HTTP_201_CREATED)


@extend_schema(tags=["proposals"], parameters=[REFERENCE, PROPOSAL_ID])
class ProposalDetailView(_TenderMixin, APIView):
    @extend_schema(
        operation_id="tender_proposal_retrieve",
        summary="One of your proposals, with every receipt",
        responses={200: OpenApiTypes.OBJECT, 404: None},
    )
    def get(self, request, reference: str, pk: int):
        partner = partner_of(request)
        tender = self.tender(reference)
        proposal = selectors.proposal_of_organisation(tender=tender, organisation=partner.organisation)
        if proposal is None or proposal.pk != pk:
            raise Http404
        return Response(proposal_json(proposal, organisation=partner.organisation))

    @extend_schema(
        operation_id="tender_proposal_replace",
        summary="Replace your proposal before the deadline (a new version; the old one is kept)",
        request=ProposalInSerializer,
        responses={200: OpenApiTypes.OBJECT, 400: None, 403: None, 404: None, 409: None},
    )
    def put(self, request, reference: str, pk: int):
        partner = partner_of(request)
        tender = self.tender(reference)
        try:
            version = services.proposal_replace(
                tender=tender,
                organisation=partner.organisation,
                content=_content(request),
                documents=_documents(request),
                proposal_id=pk,
                token=partner.token,
            )
        except ProposalError as error:
            return _error_response(error)
        return Response(selectors.receipt(version))

    @extend_schema(
        operation_id="tender_proposal_withdraw",
        summary="Withdraw your proposal before the deadline",
        responses={200: OpenApiTypes.OBJECT, 403: None, 404: None, 409: None},
    )
    def delete(self, request, reference: str, pk: int):
        partner = partner_of(request)
        tender = self.tender(reference)
        try:
            version = services.proposal_withdraw(
                tender=tender, organisation=partner.organisation, proposal_id=pk, token=partner.token
            )
        except ProposalError as error:
            return _error_response(error)
        return Response(selectors.receipt(version))


def scores_json(row) -> dict | None:
    if row is None:
        return None
    return {
        "organisation": row.proposal.organisation.name,
        "compliant": row.compliant,
        "compliance_problems": row.compliance_problems,
        "npv": None if row.npv is None else str(row.npv),
        "price_score": None if row.price_score is None else str(row.price_score),
        "outcome_score": None if row.outcome_score is None else str(row.outcome_score),
        "quality_score": None if row.quality_score is None else str(row.quality_score),
        "total": None if row.total is None else str(row.total),
        "rank": row.rank,
    }


@extend_schema(tags=["proposals"], parameters=[REFERENCE])
class PartnerEvaluationView(_TenderMixin, APIView):
    @extend_schema(
        operation_id="tender_partner_evaluation",
        summary="After the award decision: your scores and the winner's",
        responses={200: OpenApiTypes.OBJECT, 404: None},
    )
    def get(self, request, reference: str):
        partner = partner_of(request)
        tender = self.tender(reference)
        found = selectors.partner_scores(tender=tender, organisation=partner.organisation)
        if found is None:
            return Response(
                {
                    "detail": _("Scores are shown once the award decision is taken."),
                    "own": None,
                    "winner": None,
                }
            )
        return Response(
            {
                "own": scores_json(found["own"]),
                "winner": scores_json(found["winner"]),
                "is_winner": found["is_winner"],
                "standstill_ends_at": found["award"].standstill_ends_at,
            }
        )
