from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health
from .dashboard import dashboard_panels


@require_GET
@never_cache
def healthz(request):
    """Readiness: 503 when the database is unreachable (the app cannot serve anything useful then).

    A broker outage is reported but keeps 200: pages still work and queued jobs wait.
    """
    database = health.check_database()
    broker = health.check_broker()
    status = "ok" if database["ok"] and broker["ok"] else ("degraded" if database["ok"] else "down")
    return JsonResponse(
        {"status": status, "database": database, "broker": broker}, status=200 if database["ok"] else 503
    )


@login_required
def home(request):
    from procurement.proposals.selectors import partner_organisation_of

    # People of partner organisations have no city dashboard: their home is the partner portal.
    if partner_organisation_of(user=request.user) is not None:
        return redirect("partner:home")
    return render(request, "home.html", {"panels": dashboard_panels(user=request.user)})
