"""Admin of scenario assumptions, runs and choices. Results are read-only: they come from the engine."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from finance.models import FinancingChoice, ScenarioAssumptions, ScenarioRun


@admin.register(ScenarioAssumptions)
class ScenarioAssumptionsAdmin(admin.ModelAdmin):
    list_display = ["tender", "project_type", "start_year", "horizon_years", "discount_rate", "updated_at"]
    search_fields = ["tender__reference", "tender__title"]
    raw_id_fields = ["tender", "updated_by"]

    def has_change_permission(self, request, obj=None):
        # From approval on the financing is frozen for everyone, the admin included (docs/decisions.md).
        from finance.selectors.scenarios import financing_frozen_reason

        if obj is not None and financing_frozen_reason(tender=obj.tender):
            return False
        return super().has_change_permission(request, obj)


@admin.register(ScenarioRun)
class ScenarioRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "tender",
        "status",
        "progress",
        "attempts",
        "reused_from",
        "created_at",
        "finished_at",
        "heartbeat_at",
    ]
    list_filter = ["status"]
    search_fields = ["tender__reference", "input_hash"]
    readonly_fields = [f.name for f in ScenarioRun._meta.fields]
    exclude = ["inputs"]  # a snapshot of thousands of assets: not for a form
    actions = ["requeue"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=gettext_lazy("Re-queue the selected queued or running runs"))
    def requeue(self, request, queryset):
        from finance.services.scenarios import scenario_run_enqueue

        ids = list(queryset.filter(status__in=["queued", "running"]).values_list("pk", flat=True))
        sent = sum(scenario_run_enqueue(run_id=run_id) for run_id in ids)
        messages.info(
            request,
            ngettext(
                "Re-queued %(count)s run(s); finished runs are never recomputed.",
                "Re-queued %(count)s run(s); finished runs are never recomputed.",
                sent,
            )
            % {"count": sent},
        )
        if sent < len(ids):
            unsent = len(ids) - sent
            messages.warning(
                request,
                ngettext(
                    "%(count)s run(s) not sent: the job queue is not reachable (the reaper retries).",
                    "%(count)s run(s) not sent: the job queue is not reachable (the reaper retries).",
                    unsent,
                )
                % {"count": unsent},
            )


@admin.register(FinancingChoice)
class FinancingChoiceAdmin(admin.ModelAdmin):
    list_display = ["tender", "scenario", "run", "chosen_by", "chosen_at"]
    readonly_fields = ["tender", "run", "scenario", "chosen_by", "chosen_at"]
