from django.urls import path

from finance.views import budgets as views

urlpatterns = [
    path("budget-lines/", views.budget_line_list, name="budget-line-list"),
    path("budget-lines/new/", views.budget_line_create, name="budget-line-create"),
    path("budget-lines/import/", views.budget_line_import, name="budget-line-import"),
    path("budget-lines/<int:pk>/", views.budget_line_detail, name="budget-line-detail"),
    path("budget-lines/<int:pk>/edit/", views.budget_line_edit, name="budget-line-edit"),
    path("budget-utilisation/", views.budget_utilisation, name="budget-utilisation"),
    path("approvals/", views.approval_queue, name="approval-queue"),
    path("contributions/<int:pk>/decide/", views.contribution_decide, name="contribution-decide"),
    path("tenders/<str:reference>/budget/", views.tender_budget, name="contribution-request"),
    path("tenders/<str:reference>/need/", views.tender_need, name="tender-need"),
    path("tenders/<str:reference>/override/", views.tender_override, name="tender-override"),
]
