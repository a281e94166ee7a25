# A landed migration (0010) is not edited: this one corrects the trigger function it installed.

from django.db import migrations

# A department or asset category changed (its name shows in every bundle's table): every tender with a bundle,
# read from the bundle rows themselves. 0010 read the tenders from the revisions, and so missed a tender that
# bundles assets but has no revision yet.
FROM_BUNDLE_ROWS = """
CREATE OR REPLACE FUNCTION procurement_bundle_names_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM procurement_bundle_touch(ARRAY(SELECT DISTINCT tender_id FROM procurement_tenderasset));
    RETURN NULL;
END;
$$;
"""

FROM_REVISIONS = """
CREATE OR REPLACE FUNCTION procurement_bundle_names_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM procurement_bundle_touch(ARRAY(SELECT tender_id FROM procurement_bundlerevision));
    RETURN NULL;
END;
$$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # SQLite has no triggers (the version is computed)
        schema_editor.execute(FROM_BUNDLE_ROWS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FROM_REVISIONS)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0010_bundle_revision")]

    operations = [migrations.RunPython(forwards, backwards)]
