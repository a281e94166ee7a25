"""The partner portal's contracts, under /partner/contracts/ (namespace "partner_contracts")."""

from django.urls import path

from procurement.contracts import views

app_name = "partner_contracts"

urlpatterns = [
    path("", views.partner_contracts, name="list"),
    path("<int:pk>/", views.partner_contract, name="detail"),
    path("<int:pk>/periods/<int:number>/report/", views.partner_report, name="report"),
    path("<int:pk>/periods/<int:number>/certificate/", views.partner_certificate, name="certificate"),
]
