"""Load (or refresh) the demo city. Idempotent: running it twice changes nothing the second time."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Order matters: each step builds on the data of the steps before it.
DEMO_STEPS = [
    "departments.demo",  # departments, users of every role, categories, ~5,000 assets
    "outcomes.demo",  # outcomes, indicators, measurements
    "procurement.demo",  # draft and submitted tenders bundling assets and outcomes
    "finance.demo",  # budget lines, contributions, scenario runs
    "procurement.demo_submission",  # the Route 12 tender asks for the rest of its need and is submitted
    "procurement.demo_publication",  # one published tender with questions and answers
    "procurement.proposals.demo",  # that tender takes proposals: three answers, opened, evaluated, awarded
    "procurement.contracts.demo",  # its contract: two past quarters, one paid, one with a deduction
]


class Command(BaseCommand):
    help = "Create the demo city: departments, users (demo mode only), assets, outcomes, tenders, budgets."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "The demo city is only loaded in demo mode (DEMO_MODE=true): it creates demo users."
            )
        for dotted in DEMO_STEPS:
            module = import_module(dotted)
            module.load(log=lambda message: self.stdout.write(f"  {message}"))
            self.stdout.write(self.style.SUCCESS(f"{dotted}: done"))
