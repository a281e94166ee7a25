from django.contrib import admin  # noqa: F401

from . import admin_scenarios  # noqa: F401  (registers scenario assumptions and runs)
