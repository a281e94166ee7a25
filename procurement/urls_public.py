"""Public transparency pages (no login) and the officials' answers to clarification questions."""

from django.urls import path

from procurement.views import public, questions

urlpatterns = [
    path("public/", public.public_tender_list, name="public-tender-list"),
    path("public/<str:reference>/", public.public_tender_detail, name="public-tender-detail"),
    path("public/<str:reference>/amend/", questions.tender_amend_view, name="public-tender-amend"),
    path(
        "public/<str:reference>/documents/<int:pk>/",
        public.public_tender_document,
        name="public-tender-document",
    ),
    path("questions/", questions.question_list, name="question-list"),
    path("questions/<int:pk>/answer/", questions.question_answer, name="question-answer"),
]
