from .urls_public import urlpatterns as public_urls
from .urls_tenders import urlpatterns as tender_urls

app_name = "procurement"

# Public pages first: their fixed prefixes ("public/", "questions/") must win over "<tender_ref:reference>/".
urlpatterns = [*public_urls, *tender_urls]
