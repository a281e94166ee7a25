from .urls_budgets import urlpatterns as budget_urls
from .urls_scenarios import urlpatterns as scenario_urls

app_name = "finance"

urlpatterns = [*budget_urls, *scenario_urls]
