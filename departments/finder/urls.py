from django.urls import path

from . import views

app_name = "finder"

urlpatterns = [
    path("", views.finder_home, name="finder"),
    path("runs/<int:pk>/", views.finder_run_detail, name="run-detail"),
    path("runs/<int:pk>/progress/", views.finder_run_progress, name="run-progress"),
    path("candidates/<int:pk>/", views.finder_candidate_detail, name="candidate-detail"),
    path("candidates/<int:pk>/tender/", views.finder_candidate_tender, name="candidate-tender"),
]
