"""City pages of proposals, under /tenders/<reference>/ (namespace "proposals")."""

from django.urls import path

from procurement import url_converters  # noqa: F401 — registers "tender_ref"
from procurement.proposals import views

app_name = "proposals"

urlpatterns = [
    path("<tender_ref:reference>/proposals/", views.tender_proposals, name="tender-proposals"),
    path(
        "<tender_ref:reference>/proposals/requirements/",
        views.tender_requirements,
        name="tender-requirements",
    ),
    path("<tender_ref:reference>/proposals/open/", views.tender_proposals_open, name="tender-proposals-open"),
    path(
        "<tender_ref:reference>/proposals/<int:pk>/documents/<int:position>/",
        views.proposal_document,
        name="proposal-document",
    ),
    path("<tender_ref:reference>/evaluation/", views.evaluation_page, name="evaluation"),
    path("<tender_ref:reference>/evaluation/start/", views.evaluation_start, name="evaluation-start"),
    path("<tender_ref:reference>/evaluation/declare/", views.evaluation_declare, name="evaluation-declare"),
    path("<tender_ref:reference>/evaluation/score/", views.evaluation_score, name="evaluation-score"),
    path("<tender_ref:reference>/evaluation/retry/", views.evaluation_retry, name="evaluation-retry"),
    path(
        "<tender_ref:reference>/evaluation/finalise/", views.evaluation_finalise, name="evaluation-finalise"
    ),
    path("<tender_ref:reference>/evaluation/report/", views.evaluation_report, name="evaluation-report"),
    path(
        "<tender_ref:reference>/evaluation/report.csv",
        views.evaluation_report_csv,
        name="evaluation-report-csv",
    ),
    path(
        "<tender_ref:reference>/evaluation/report.xlsx",
        views.evaluation_report_xlsx,
        name="evaluation-report-xlsx",
    ),
    path(
        "<tender_ref:reference>/evaluation/report.pdf",
        views.evaluation_report_pdf,
        name="evaluation-report-pdf",
    ),
    path("<tender_ref:reference>/award/recommend/", views.award_recommend, name="award-recommend"),
    path("<tender_ref:reference>/award/approve/", views.award_approve, name="award-approve"),
    path("<tender_ref:reference>/award/sign/", views.award_sign, name="award-sign"),
    path("<tender_ref:reference>/award/cancel/", views.award_cancel, name="award-cancel"),
]
