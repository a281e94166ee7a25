from .urls_public import urlpatterns as public_urls
from .urls_tenders import urlpatterns as tender_urls

app_name = "procurement"

urlpatterns = [*tender_urls, *public_urls]
