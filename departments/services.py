"""Writes of the departments app: assets and asset imports. Every change writes an AuditEvent."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.selectors import preferred_language
from config.tabular import DECIMAL_POINT, ImportRejected

from . import imports, stored_text
from .exceptions import ImportNotStuck, ImportRefused, ImportTooLarge, NotAnOfficial
from .models import Asset, AssetCategory, AssetImport, AuditEvent, Department, Membership
from .selectors import asset_import_is_stuck, departments_where_user_is, user_is_official_of

logger = logging.getLogger(__name__)

# Files up to this many rows are imported inside the request (a few thousand rows take well under a second);
# bigger ones go to the worker and the page shows progress. Rows, not bytes: a 469 KB XLSX can hold 300,000.
INLINE_IMPORT_MAX_ROWS = 5_000

ASSET_FIELDS = [
    "category",
    "external_ref",
    "name",
    "area",
    "latitude",
    "longitude",
    "install_year",
    "life_years",
    "replacement_cost",
    "maintenance_cost",
    "energy_cost",
    "condition",
]


def _audit(*, actor, action: str, obj, summary: str, data: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        entity=obj.__class__.__name__,
        entity_id=str(obj.pk),
        summary=summary[:500],
        data=data or {},
    )


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _require_official(*, user, department: Department) -> None:
    if not user_is_official_of(user=user, department=department):
        raise NotAnOfficial(
            _("Only officials of %(department)s may change its assets.") % {"department": department}
        )


def asset_create(*, department: Department, category: AssetCategory, actor, **fields: Any) -> Asset:
    """Register a new asset of `department` (the actor must be one of its officials)."""
    _require_official(user=actor, department=department)
    with transaction.atomic():
        asset = Asset(department=department, category=category, **fields)
        asset.full_clean()
        asset.save()
        _audit(
            actor=actor,
            action="asset.create",
            obj=asset,
            summary=stored_text.ASSET_REGISTERED % {"asset": asset, "department": department},
            data={f: _json(getattr(asset, f)) for f in ASSET_FIELDS},
        )
    return asset


def asset_update(*, asset: Asset, actor, **fields: Any) -> Asset:
    """Change an asset's fields; the audit row records old → new for every field that changed."""
    _require_official(user=actor, department=asset.department)
    with transaction.atomic():
        # Lock the row: two officials saving the same asset at once must not lose one edit's audit trail.
        locked = Asset.objects.select_for_update().get(pk=asset.pk)
        changes = {}
        for name, value in fields.items():
            if name not in ASSET_FIELDS:
                raise ValueError(f"{name} cannot be changed here")
            old = getattr(locked, name)
            if old != value:
                changes[name] = [_json(old), _json(value)]
                setattr(locked, name, value)
        if changes:
            locked.full_clean()
            locked.save()
            _audit(
                actor=actor,
                action="asset.update",
                obj=locked,
                summary=stored_text.ASSET_CHANGED % {"fields": ", ".join(changes), "asset": locked},
                data={"changes": changes},
            )
    return locked


def asset_retire(*, asset: Asset, actor) -> Asset:
    """Take an asset out of service (it stays in the inventory and its history)."""
    _require_official(user=actor, department=asset.department)
    with transaction.atomic():
        locked = Asset.objects.select_for_update().get(pk=asset.pk)
        if locked.status != Asset.Status.RETIRED:
            locked.status = Asset.Status.RETIRED
            locked.full_clean()
            locked.save(update_fields=["status", "updated_at"])
            _audit(
                actor=actor,
                action="asset.retire",
                obj=locked,
                summary=stored_text.ASSET_RETIRED % {"asset": locked},
            )
    return locked


# --- Imports -------------------------------------------------------------------------------------------------


def asset_import_start(*, file: UploadedFile, actor, decimal: str = DECIMAL_POINT) -> AssetImport:
    """Store the upload and import it: inline when it has few rows, otherwise as a background job.

    Before anything is stored, the file's rows are counted without parsing it (an XLSX over the row or
    unpacked-size limit is refused here, in a fraction of a second, instead of in a job or a long request).
    `decimal` is the file's decimal separator, kept on the job for the worker.
    """
    if not departments_where_user_is(user=actor, role=Membership.Role.OFFICIAL).exists():
        raise NotAnOfficial(_("Only officials of a department may import assets."))
    if file.size > imports.max_bytes():
        raise ImportTooLarge(imports.too_large_message(file.size))
    try:
        rows = imports.count_rows(file, name=file.name)
    except ImportRejected as rejected:
        raise ImportRefused(" ".join(e.message for e in rejected.errors[:3])) from None
    inline = rows <= INLINE_IMPORT_MAX_ROWS
    with transaction.atomic():
        asset_import = AssetImport(
            uploaded_by=actor,
            original_name=file.name[:255],
            decimal_separator=decimal,
            # The page's language when the file was uploaded: the job writes its messages in it.
            language=translation.get_language() or "",
        )
        asset_import.file.save(file.name, file, save=False)
        asset_import.full_clean()
        asset_import.save()
        _audit(
            actor=actor,
            action="asset_import.queue",
            obj=asset_import,
            summary=stored_text.IMPORT_UPLOADED % {"name": asset_import.original_name},
        )
        if not inline:
            pk = asset_import.pk
            transaction.on_commit(lambda: _enqueue_import(pk))
    if inline:
        asset_import_run(asset_import_id=asset_import.pk)
        asset_import.refresh_from_db()
    return asset_import


def _enqueue_import(asset_import_id: int) -> None:
    from .tasks import run_asset_import

    try:
        run_asset_import.delay(asset_import_id)
    except Exception as error:  # noqa: BLE001 — broker down: say so on the job instead of a server error
        # Run eagerly (no broker), a crash of the job itself was already recorded by the task: then this is a no-op.
        logger.exception("Could not run asset import %s", asset_import_id)
        asset_import_fail(
            asset_import_id=asset_import_id,
            message=_("The job queue is not reachable (%(error)s); upload the file again later.")
            % {"error": error.__class__.__name__},
        )


def _set_progress(asset_import_id: int, percent: int) -> None:
    # Outside the import's transaction when called before/after it, so the polling page sees it.
    AssetImport.objects.filter(pk=asset_import_id).update(progress=percent)


def asset_import_run(*, asset_import_id: int) -> AssetImport:
    """Run one import to the end. Safe to run twice: a finished import is left as it is."""
    asset_import = AssetImport.objects.select_related("uploaded_by").get(pk=asset_import_id)
    if asset_import.status in (AssetImport.Status.SUCCEEDED, AssetImport.Status.FAILED):
        return asset_import
    started = timezone.now()
    AssetImport.objects.filter(pk=asset_import_id).update(
        status=AssetImport.Status.RUNNING, started_at=started, progress=5
    )
    # finish() saves this object: it must carry the real start, not the None it was read with.
    asset_import.started_at = started
    actor = asset_import.uploaded_by
    allowed = None
    if actor is not None and not actor.is_superuser:
        allowed = set(
            departments_where_user_is(user=actor, role=Membership.Role.OFFICIAL).values_list("pk", flat=True)
        )

    def finish(result: imports.ImportResult) -> None:
        asset_import.total_rows = result.total_rows
        asset_import.created_count = result.created
        asset_import.updated_count = result.updated
        asset_import.errors = [e.as_dict() for e in result.errors]
        asset_import.error_count = result.error_count
        asset_import.error_message = (
            ""
            if result.ok
            else ngettext(
                "%(count)s problem found; nothing was imported. Fix it and upload again.",
                "%(count)s problems found; nothing was imported. Fix them and upload again.",
                result.error_count,
            )
            % {"count": intcomma(result.error_count)}
        )
        asset_import.status = AssetImport.Status.SUCCEEDED if result.ok else AssetImport.Status.FAILED
        asset_import.progress = 100
        asset_import.finished_at = timezone.now()
        asset_import.save()
        _audit(
            actor=actor,
            action="asset_import.succeed" if result.ok else "asset_import.fail",
            obj=asset_import,
            summary=(
                stored_text.IMPORT_SUCCEEDED
                % {"name": asset_import.original_name, "created": result.created, "updated": result.updated}
                if result.ok
                else stored_text.IMPORT_REJECTED
                % {"name": asset_import.original_name, "count": result.error_count}
            ),
            data={
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "errors": result.error_count,
                "department_ids": result.department_ids,
            },
        )

    # The assets, the job's result and its audit row are written in one transaction (inside import_assets).
    # Messages are written in the uploader's language (only they see the import): the request's when the import
    # runs inline, their profile's when a worker runs it.
    language = asset_import.language or preferred_language(actor) or settings.LANGUAGE_CODE
    with translation.override(language), asset_import.file.open("rb") as handle:
        imports.import_assets(
            handle,
            name=asset_import.original_name,
            size=asset_import.file.size,
            allowed_department_ids=allowed,
            progress=lambda p: _set_progress(asset_import_id, p),
            finish=finish,
            decimal=asset_import.decimal_separator,
        )
    return asset_import


def asset_import_requeue(*, asset_import: AssetImport, actor) -> AssetImport:
    """Start a lost job again (see asset_import_is_stuck). Safe: its write transaction never committed."""
    with transaction.atomic():
        # Lock: two clicks on "Start again" must not queue the job twice.
        locked = AssetImport.objects.select_for_update().get(pk=asset_import.pk)
        if not asset_import_is_stuck(asset_import=locked):
            raise ImportNotStuck(_("This import is not stuck; it is still working or already finished."))
        locked.status, locked.progress, locked.started_at = AssetImport.Status.QUEUED, 0, None
        locked.save(update_fields=["status", "progress", "started_at"])
        _audit(
            actor=actor,
            action="asset_import.requeue",
            obj=locked,
            summary=stored_text.IMPORT_REQUEUED % {"name": locked.original_name},
        )
        pk = locked.pk
        transaction.on_commit(lambda: _enqueue_import(pk))
    return locked


def asset_import_fail(*, asset_import_id: int, message: str) -> None:
    """Mark a job failed after an unexpected error (called by the task's failure path)."""
    with transaction.atomic():
        asset_import = AssetImport.objects.select_for_update().get(pk=asset_import_id)
        if asset_import.status in (AssetImport.Status.SUCCEEDED, AssetImport.Status.FAILED):
            return  # already finished; keep its own result and message
        asset_import.status = AssetImport.Status.FAILED
        asset_import.error_message = message[:2000]
        asset_import.finished_at = timezone.now()
        asset_import.save()
        _audit(actor=None, action="asset_import.fail", obj=asset_import, summary=message[:500])
