"""Everything under /api/: the versioned API, its OpenAPI schema and the interactive docs (served locally)."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# The schema and the docs page need no authentication; without it a partner's token does not turn into a
# non-user principal that the site's template context processors would then try to treat as a Django user.
urlpatterns = [
    path("v1/", include("procurement.api.urls", namespace="api")),
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[]), name="api-schema"),
    path(
        "docs/",
        # The split view serves Swagger UI's start-up code as a script of its own (?script), not inline; the
        # only extra the page needs under the site's CSP is Swagger UI's data: images (icons in its CSS).
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", authentication_classes=[])
        ),
        name="api-docs",
    ),
]
