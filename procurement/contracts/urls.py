"""City and public pages of contracts, under /contracts/ (namespace "contracts")."""

from django.urls import path

from procurement import url_converters  # noqa: F401 — registers "tender_ref"
from procurement.contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("inflation/", views.inflation, name="inflation"),
    path("public/<tender_ref:reference>/", views.public_contract, name="public"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/measurements/<int:line_pk>/review/", views.measurement_review, name="measurement-review"),
    path("<int:pk>/reports/<int:report_pk>/costs/", views.costs_review, name="costs-review"),
    path("<int:pk>/periods/<int:number>/certificate/", views.certificate_detail, name="certificate"),
    path(
        "<int:pk>/periods/<int:number>/certificate/approve/",
        views.certificate_approve,
        name="certificate-approve",
    ),
    path("<int:pk>/periods/<int:number>/certificate/paid/", views.certificate_paid, name="certificate-paid"),
    path("<int:pk>/evidence/<int:document_pk>/", views.evidence_document, name="evidence"),
    path("<int:pk>/savings/", views.savings_ledger, name="savings"),
    path("<int:pk>/savings.csv", views.savings_ledger_csv, name="savings-csv"),
    path("<int:pk>/savings.xlsx", views.savings_ledger_xlsx, name="savings-xlsx"),
]
