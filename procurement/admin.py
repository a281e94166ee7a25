from django.contrib import admin  # noqa: F401

from .publication import admin as publication_admin  # noqa: F401  (registers partner, token, release admin)
