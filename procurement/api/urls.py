"""/api/v1/ routes (namespace "api")."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from procurement.api import views
from procurement.contracts import api as contracts_api
from procurement.proposals import api as proposals_api

app_name = "api"

router = SimpleRouter()
router.register("tenders", views.PublishedTenderViewSet, basename="tender")

urlpatterns = [
    path("", views.ApiRootView.as_view(), name="root"),
    path("releases/", views.ReleaseFeedView.as_view(), name="release-feed"),
    # Proposals (DESIGN §12) before the router, whose detail route would otherwise match first.
    path(
        "tenders/<str:reference>/proposals/",
        proposals_api.ProposalListView.as_view(),
        name="tender-proposals",
    ),
    path(
        "tenders/<str:reference>/proposals/<int:pk>/",
        proposals_api.ProposalDetailView.as_view(),
        name="tender-proposal-detail",
    ),
    path(
        "tenders/<str:reference>/evaluation/",
        proposals_api.PartnerEvaluationView.as_view(),
        name="tender-partner-evaluation",
    ),
    path(
        "contracts/<int:pk>/periods/<int:number>/report",
        contracts_api.PeriodReportView.as_view(),
        name="contract-period-report",
    ),
    path("", include(router.urls)),
]
