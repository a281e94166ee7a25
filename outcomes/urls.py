from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("", views.outcome_list, name="outcome-list"),
    path("new/", views.outcome_create, name="outcome-create"),
    path("<int:pk>/", views.outcome_detail, name="outcome-detail"),
    path("<int:pk>/edit/", views.outcome_edit, name="outcome-edit"),
    path("<int:pk>/indicators/new/", views.indicator_create, name="indicator-create"),
    path("<int:pk>/measurements/import/", views.measurement_import, name="measurement-import"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator-edit"),
    path("indicators/<int:pk>/measurements/new/", views.measurement_create, name="measurement-create"),
]
