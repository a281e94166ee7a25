from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import i18n
from config import views as site_views
from procurement.contracts import urls as contract_urls
from procurement.urls_public import urlpatterns as public_tender_urls
from procurement.urls_tenders import urlpatterns as tender_urls

# The public pages (published tenders, their documents and questions, a contract's public page) exist in every
# language: /tenders/public/ (the visitor's language: English unless their cookie or browser says otherwise),
# /fr/tenders/public/, /nl/tenders/public/ (config/i18n.py). Their URL names are unchanged; reverse() gives the
# unprefixed URL in English and the prefixed one while French or Dutch is active.
public_contract_urls = [p for p in contract_urls.urlpatterns if getattr(p, "name", None) == "public"]
city_contract_urls = [p for p in contract_urls.urlpatterns if getattr(p, "name", None) != "public"]
procurement_urls = [
    *i18n.public_language_patterns(path("tenders/", include(public_tender_urls))),
    path("tenders/", include(tender_urls)),
]
contracts_urls = [
    *i18n.public_language_patterns(path("contracts/", include(public_contract_urls))),
    path("contracts/", include(city_contract_urls)),
]

urlpatterns = [
    path("healthz", site_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", i18n.set_language_view, name="set-language"),
    path("admin/", admin.site.urls),
    path("departments/", include("departments.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("finder/", include("departments.finder.urls")),
    path("", include((procurement_urls, "procurement"))),
    path("tenders/", include("procurement.proposals.urls")),
    path("partner/contracts/", include("procurement.contracts.urls_partner")),
    path("partner/", include("procurement.proposals.urls_partner")),
    path("", include((contracts_urls, "contracts"))),
    path("finance/", include("finance.urls")),
    path("inbox/", include("notifications.urls")),
    path("api/", include("procurement.api.root_urls")),
    path("", site_views.home, name="home"),
]
# MEDIA_URL is deliberately not routed, in any mode: uploaded files are served only by views that check
# permissions (config/uploads.py).
