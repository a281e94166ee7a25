from django.urls import path

from procurement.views import tenders as views

urlpatterns = [
    path("", views.tender_list, name="tender-list"),
    path("new/", views.tender_create, name="tender-create"),
    path("<str:reference>/", views.tender_detail, name="tender-detail"),
    path("<str:reference>/edit/", views.tender_edit, name="tender-edit"),
    path("<str:reference>/assets/", views.tender_assets, name="tender-assets"),
    path("<str:reference>/outcomes/", views.tender_outcomes, name="tender-outcomes"),
    path("<str:reference>/documents/", views.tender_documents, name="tender-documents"),
    path(
        "<str:reference>/documents/<int:pk>/", views.tender_document_download, name="tender-document-download"
    ),
    path("<str:reference>/review/", views.tender_review, name="tender-review"),
    path("<str:reference>/transition/", views.tender_transition, name="tender-transition"),
    path("<str:reference>/comments/", views.tender_comment, name="tender-comment"),
]
