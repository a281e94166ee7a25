from django.urls import path

from procurement import url_converters  # noqa: F401 — registers the `tender_ref` converter
from procurement.views import signoffs as signoff_views
from procurement.views import tenders as views

urlpatterns = [
    path("", views.tender_list, name="tender-list"),
    path("new/", views.tender_create, name="tender-create"),
    path("<tender_ref:reference>/", views.tender_detail, name="tender-detail"),
    path("<tender_ref:reference>/edit/", views.tender_edit, name="tender-edit"),
    path("<tender_ref:reference>/assets/", views.tender_assets, name="tender-assets"),
    path("<tender_ref:reference>/outcomes/", views.tender_outcomes, name="tender-outcomes"),
    path("<tender_ref:reference>/documents/", views.tender_documents, name="tender-documents"),
    path(
        "<tender_ref:reference>/documents/<int:pk>/",
        views.tender_document_download,
        name="tender-document-download",
    ),
    path("<tender_ref:reference>/review/", views.tender_review, name="tender-review"),
    path("<tender_ref:reference>/finance/", views.tender_finance_panels, name="tender-finance-panels"),
    path("<tender_ref:reference>/transition/", views.tender_transition, name="tender-transition"),
    path("<tender_ref:reference>/comments/", views.tender_comment, name="tender-comment"),
    path("<tender_ref:reference>/sign-offs/request/", signoff_views.signoff_request, name="signoff-request"),
    path(
        "<tender_ref:reference>/sign-offs/<int:department_id>/sign/",
        signoff_views.signoff_give,
        name="signoff-give",
    ),
    path(
        "<tender_ref:reference>/sign-offs/<int:department_id>/withdraw/",
        signoff_views.signoff_withdraw,
        name="signoff-withdraw",
    ),
]
