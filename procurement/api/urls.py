"""/api/v1/ routes (namespace "api")."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from procurement.api import views

app_name = "api"

router = SimpleRouter()
router.register("tenders", views.PublishedTenderViewSet, basename="tender")

urlpatterns = [
    path("", views.ApiRootView.as_view(), name="root"),
    path("releases/", views.ReleaseFeedView.as_view(), name="release-feed"),
    path("", include(router.urls)),
]
