"""API representations. Published fields come from the stored release JSON, never from live tender rows."""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from procurement.models import ClarificationQuestion, Release
from procurement.publication.services import QUESTION_MAX_LENGTH


class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MoneySerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="Rendered as a string.")
    currency = serializers.CharField()


def _release_data(tender) -> dict:
    release = getattr(tender, "latest_release", None)
    return release.data if release is not None else {}


class TenderSummarySerializer(serializers.Serializer):
    """One published tender in the list: read from its latest release."""

    id = serializers.SerializerMethodField(help_text="The tender reference (OCDS tender.id).")
    ocid = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(help_text="OCDS tender status: active, complete, cancelled.")
    lead_department = serializers.SerializerMethodField()
    value = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField()
    last_release_date = serializers.SerializerMethodField()
    last_release_tag = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_id(self, tender) -> str:
        return tender.reference

    def get_ocid(self, tender) -> str:
        return _release_data(tender).get("ocid", "")

    def get_title(self, tender) -> str:
        return _release_data(tender).get("tender", {}).get("title", "")

    def get_status(self, tender) -> str:
        return _release_data(tender).get("tender", {}).get("status", "")

    @extend_schema_field(DepartmentRefSerializer)
    def get_lead_department(self, tender) -> dict:
        return {"code": tender.lead_department.code, "name": tender.lead_department.name}

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_value(self, tender) -> dict | None:
        value = _release_data(tender).get("tender", {}).get("value")
        if not value:
            return None
        return {"amount": f"{Decimal(str(value['amount'])):.2f}", "currency": value["currency"]}

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_last_release_date(self, tender) -> str:
        return _release_data(tender).get("date", "")

    def get_last_release_tag(self, tender) -> str:
        return (_release_data(tender).get("tag") or [""])[0]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, tender) -> str:
        return reverse("api:tender-detail", args=[tender.reference], request=self.context.get("request"))


class TenderDetailSerializer(TenderSummarySerializer):
    latest_release = serializers.SerializerMethodField(help_text="The latest OCDS release, as published.")
    releases_url = serializers.SerializerMethodField()
    record_url = serializers.SerializerMethodField()
    questions_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_latest_release(self, tender) -> dict:
        return _release_data(tender)

    @extend_schema_field(OpenApiTypes.URI)
    def get_releases_url(self, tender) -> str:
        return reverse("api:tender-releases", args=[tender.reference], request=self.context.get("request"))

    @extend_schema_field(OpenApiTypes.URI)
    def get_record_url(self, tender) -> str:
        return reverse("api:tender-record", args=[tender.reference], request=self.context.get("request"))

    @extend_schema_field(OpenApiTypes.URI)
    def get_questions_url(self, tender) -> str:
        return reverse("api:tender-questions", args=[tender.reference], request=self.context.get("request"))


class ReleaseFeedSerializer(serializers.ModelSerializer):
    """One entry of the change feed: a release of a published tender, as stored."""

    id = serializers.CharField(source="release_id")
    tender_id = serializers.CharField(source="tender.reference")
    hash = serializers.CharField(source="content_hash", help_text="sha256 of the canonical JSON.")
    release = serializers.JSONField(source="data", help_text="The OCDS release.")

    class Meta:
        model = Release
        fields = ["id", "ocid", "tag", "date", "tender_id", "hash", "release"]


class QuestionSerializer(serializers.ModelSerializer):
    question = serializers.CharField(max_length=QUESTION_MAX_LENGTH, trim_whitespace=True)
    answered = serializers.SerializerMethodField()

    class Meta:
        model = ClarificationQuestion
        fields = ["id", "question", "asked_at", "answered", "answer", "answered_at"]
        read_only_fields = ["id", "asked_at", "answered", "answer", "answered_at"]

    def get_answered(self, item) -> bool:
        return item.answered_at is not None


class ScenarioSummarySerializer(serializers.Serializer):
    scenario = serializers.CharField()
    npv = serializers.DecimalField(max_digits=18, decimal_places=2)
    whole_life_cost = serializers.DecimalField(max_digits=18, decimal_places=2)
    savings_vs_status_quo = serializers.DecimalField(max_digits=18, decimal_places=2)
    year0_capex = serializers.DecimalField(max_digits=18, decimal_places=2)
    peak_yearly_cost = serializers.DecimalField(max_digits=18, decimal_places=2)
    partner_npv = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    partner_irr = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    bankable = serializers.BooleanField(allow_null=True)
    break_even_share = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)


RATE = {"max_digits": 7, "decimal_places": 4}


class AssumptionsSerializer(serializers.Serializer):
    project_type = serializers.CharField()
    start_year = serializers.IntegerField()
    horizon_years = serializers.IntegerField()
    discount_rate = serializers.DecimalField(**RATE)
    inflation = serializers.DecimalField(**RATE)
    energy_escalation = serializers.DecimalField(**RATE)
    optimism_bias = serializers.DecimalField(**RATE)
    partner_cost_of_capital = serializers.DecimalField(**RATE)
    partner_margin = serializers.DecimalField(**RATE)
    contract_term_years = serializers.IntegerField()
    partner_savings_share = serializers.DecimalField(**RATE)
    payment_at_risk_share = serializers.DecimalField(**RATE)
    outcome_achievement = serializers.DecimalField(**RATE)


class SharedScenarioSerializer(serializers.Serializer):
    """A tender's financing assumptions and its chosen scenario's summary (partners only)."""

    assumptions = AssumptionsSerializer(allow_null=True)
    chosen_scenario = serializers.CharField(allow_null=True)
    summary = ScenarioSummarySerializer(allow_null=True)
