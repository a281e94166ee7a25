"""Public transparency pages (no login) and the officials' answers to clarification questions."""

from django.urls import path

from procurement import url_converters  # noqa: F401 — registers the `tender_ref` converter
from procurement.views import public, questions

urlpatterns = [
    path("public/", public.public_tender_list, name="public-tender-list"),
    path("public/<tender_ref:reference>/", public.public_tender_detail, name="public-tender-detail"),
    path("public/<tender_ref:reference>/amend/", questions.tender_amend_view, name="public-tender-amend"),
    path(
        "public/<tender_ref:reference>/documents/<int:pk>/",
        public.public_tender_document,
        name="public-tender-document",
    ),
    path("questions/", questions.question_list, name="question-list"),
    path("questions/<int:pk>/answer/", questions.question_answer, name="question-answer"),
]
