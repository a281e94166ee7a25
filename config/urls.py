from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import views as site_views

urlpatterns = [
    path("healthz", site_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("departments/", include("departments.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("finder/", include("departments.finder.urls")),
    path("tenders/", include("procurement.urls")),
    path("tenders/", include("procurement.proposals.urls")),
    path("partner/contracts/", include("procurement.contracts.urls_partner")),
    path("partner/", include("procurement.proposals.urls_partner")),
    path("contracts/", include("procurement.contracts.urls")),
    path("finance/", include("finance.urls")),
    path("inbox/", include("notifications.urls")),
    path("api/", include("procurement.api.root_urls")),
    path("", site_views.home, name="home"),
]
# MEDIA_URL is deliberately not routed, in any mode: uploaded files are served only by views that check
# permissions (config/uploads.py).
