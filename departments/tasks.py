"""Background jobs of the departments app: thin wrappers around services."""

from celery import shared_task


@shared_task(bind=True, acks_late=True, max_retries=0)
def run_asset_import(self, asset_import_id: int) -> None:
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext as _

    from .models import AssetImport
    from .services import asset_import_fail, asset_import_run

    try:
        asset_import_run(asset_import_id=asset_import_id)
    except Exception as exc:  # noqa: BLE001 — any crash must leave the job marked failed, not stuck
        # Written in the uploader's language, like the import's other messages.
        language = AssetImport.objects.filter(pk=asset_import_id).values_list("language", flat=True).first()
        with translation.override(language or settings.LANGUAGE_CODE):
            message = _("The import stopped unexpectedly: %(error)s") % {"error": exc}
        asset_import_fail(asset_import_id=asset_import_id, message=message)
        raise


# The opportunity finder's job lives in its package; importing it here lets Celery's autodiscovery find it.
from departments.finder.tasks import run_finder  # noqa: E402, F401
