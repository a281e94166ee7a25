"""Partner API of contracts: POST /api/v1/contracts/{id}/periods/{n}/report (token scope `propose`).

A partner only ever reaches its own organisation's contracts: another organisation's is a 404.
"""

from __future__ import annotations

import base64
import binascii

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.api.authentication import partner_of
from procurement.contracts import services
from procurement.contracts.exceptions import ContractError, ReportInvalid
from procurement.contracts.models import Contract, PerformancePeriod
from procurement.proposals.api import CanPropose, IsPartner


class EvidenceSerializer(serializers.Serializer):
    filename = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    content_base64 = serializers.CharField()


class MeasurementSerializer(serializers.Serializer):
    indicator_id = serializers.IntegerField()
    value = serializers.CharField()


class ReportInSerializer(serializers.Serializer):
    """Money and measurements as strings (e.g. "1250.00")."""

    measurements = MeasurementSerializer(many=True)
    actual_maintenance = serializers.CharField()
    actual_energy = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True)
    documents = EvidenceSerializer(many=True, required=False)


def _error(error: ContractError) -> Response:
    return Response({"detail": error.message, "errors": error.errors}, status=error.status_code)


CONTRACT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Contract id.")
PERIOD = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Period number.")


@extend_schema(tags=["contracts"], parameters=[CONTRACT_ID, PERIOD])
class PeriodReportView(APIView):
    permission_classes = [IsPartner, CanPropose]

    @extend_schema(
        operation_id="contract_period_report",
        summary="Report a performance period (token scope 'propose')",
        request=ReportInSerializer,
        responses={
            201: OpenApiResponse(description="The report as stored, every line waiting for verification."),
            400: OpenApiResponse(description="Every problem, by field."),
            403: None,
            404: None,
            409: OpenApiResponse(description="The period is not open, already reported or certified."),
        },
    )
    def post(self, request, pk: int, number: int):
        partner = partner_of(request)
        contract = Contract.objects.filter(pk=pk, organisation=partner.organisation).first()
        period = (
            PerformancePeriod.objects.filter(contract=contract, number=number).first() if contract else None
        )
        if period is None:
            return Response({"detail": _("No such contract period.")}, status=status.HTTP_404_NOT_FOUND)
        body = ReportInSerializer(data=request.data)
        if not body.is_valid():
            return Response({"detail": _("The report was not accepted."), "errors": body.errors}, status=400)
        data = body.validated_data
        measurements = {}
        duplicates = []
        for row in data["measurements"]:
            if row["indicator_id"] in measurements:
                duplicates.append(
                    _("Indicator %(indicator)s is reported twice.") % {"indicator": row["indicator_id"]}
                )
            measurements[row["indicator_id"]] = row["value"]
        uploads, problems = [], list(duplicates)
        for index, item in enumerate(data.get("documents") or [], start=1):
            try:
                content = base64.b64decode(item["content_base64"], validate=True)
            except (binascii.Error, ValueError):
                problems.append(
                    _("Document %(index)s: content_base64 is not valid base64.") % {"index": index}
                )
                continue
            uploads.append(services.EvidenceUpload(item["filename"], content, item.get("title", "")))
        try:
            if problems:
                raise ReportInvalid(_("The report was not accepted."), errors={"__all__": problems})
            report = services.report_submit(
                period=period,
                organisation=partner.organisation,
                measurements=measurements,
                actual_maintenance=data["actual_maintenance"],
                actual_energy=data["actual_energy"],
                documents=uploads,
                note=data.get("note", ""),
                token=partner.token,
            )
        except ContractError as error:
            return _error(error)
        return Response(
            {
                "contract": contract.pk,
                "period": period.number,
                "submitted_at": report.submitted_at.isoformat(),
                "actual_maintenance": f"{report.actual_maintenance:.2f}",
                "actual_energy": f"{report.actual_energy:.2f}",
                "measurements": [
                    {
                        "indicator_id": m.contract_indicator.indicator_id,
                        "value": f"{m.value.normalize():f}",
                        "status": m.status,
                    }
                    for m in report.measurements.select_related("contract_indicator")
                ],
                "documents": [{"title": d.title, "sha256": d.sha256} for d in report.documents.all()],
            },
            status=status.HTTP_201_CREATED,
        )
