from django.conf import settings
from django.conf.urls.static import static
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
    path("tenders/", include("procurement.urls")),
    path("tenders/", include("procurement.proposals.urls")),
    path("partner/", include("procurement.proposals.urls_partner")),
    path("finance/", include("finance.urls")),
    path("api/", include("procurement.api.root_urls")),
    path("", site_views.home, name="home"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
