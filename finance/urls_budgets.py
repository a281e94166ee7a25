from django.urls import path

from finance.views import budgets as views
from finance.views import pooling
from procurement import url_converters  # noqa: F401 — registers the `tender_ref` converter

urlpatterns = [
    path("budget-lines/", views.budget_line_list, name="budget-line-list"),
    path("budget-lines/new/", views.budget_line_create, name="budget-line-create"),
    path("budget-lines/term/", pooling.budget_line_term, name="budget-line-term"),
    path("budget-lines/import/", views.budget_line_import, name="budget-line-import"),
    path("budget-lines/<int:pk>/", views.budget_line_detail, name="budget-line-detail"),
    path("budget-lines/<int:pk>/edit/", views.budget_line_edit, name="budget-line-edit"),
    path("budget-utilisation/", views.budget_utilisation, name="budget-utilisation"),
    path("approvals/", views.approval_queue, name="approval-queue"),
    path("approvals/bulk/", pooling.approval_bulk, name="approval-bulk"),
    path("contributions/<int:pk>/decide/", views.contribution_decide, name="contribution-decide"),
    path("contributions/<int:pk>/withdraw/", views.contribution_withdraw, name="contribution-withdraw"),
    path("tenders/<tender_ref:reference>/budget/", views.tender_budget, name="contribution-request"),
    path("tenders/<tender_ref:reference>/budget/pool/", pooling.tender_pool, name="tender-pool"),
    path("tenders/<tender_ref:reference>/need/", views.tender_need, name="tender-need"),
    path("tenders/<tender_ref:reference>/override/", views.tender_override, name="tender-override"),
]
