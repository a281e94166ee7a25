"""The partner portal, under /partner/ (namespace "partner")."""

from django.urls import path

from procurement.proposals import views

app_name = "partner"

urlpatterns = [
    path("", views.partner_home, name="home"),
    path("login/", views.PartnerLoginView.as_view(), name="login"),
    path("tenders/<tender_ref:reference>/", views.partner_tender, name="tender"),
    path("tenders/<tender_ref:reference>/proposal/", views.partner_proposal_save, name="proposal-save"),
    path("tenders/<tender_ref:reference>/questions/", views.partner_question_ask, name="question-ask"),
    path(
        "tenders/<tender_ref:reference>/withdraw/", views.partner_proposal_withdraw, name="proposal-withdraw"
    ),
]
