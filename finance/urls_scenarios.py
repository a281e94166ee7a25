"""URLs of financing scenarios (included in the `finance` namespace by finance/urls.py)."""

from django.urls import path

from finance.views import scenarios as views
from procurement import url_converters  # noqa: F401 — registers the `tender_ref` converter

urlpatterns = [
    path(
        "tenders/<tender_ref:reference>/scenarios/", views.scenario_assumptions, name="scenario-assumptions"
    ),
    path(
        "tenders/<tender_ref:reference>/scenarios/run/", views.scenario_run_create, name="scenario-run-create"
    ),
    path(
        "tenders/<tender_ref:reference>/scenarios/compare/", views.scenario_compare, name="scenario-compare"
    ),
    path("scenario-runs/<int:pk>/", views.scenario_run_detail, name="scenario-run-detail"),
    path("scenario-runs/<int:pk>/progress/", views.scenario_run_progress, name="scenario-run-progress"),
    path("scenario-runs/<int:pk>/export.csv", views.scenario_run_export_csv, name="scenario-run-export-csv"),
    path(
        "scenario-runs/<int:pk>/export.xlsx", views.scenario_run_export_xlsx, name="scenario-run-export-xlsx"
    ),
    path("scenario-runs/<int:pk>/choose/", views.scenario_choose, name="scenario-choose"),
]
