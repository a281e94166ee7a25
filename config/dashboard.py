"""The home page is each role's dashboard: each app contributes panels from its selectors.

A panel is a dict {"template": "<app>/_dashboard_<name>.html", ...its context}.
"""

from finance.selectors import dashboard_panels as finance_panels
from procurement.selectors import dashboard_panels as procurement_panels


def dashboard_panels(*, user) -> list[dict]:
    return [*procurement_panels(user=user), *finance_panels(user=user)]
