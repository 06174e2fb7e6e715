"""Indexes for the dossier list at scale.

The B-tree indexes serve the list's sorts and status filter on every engine. The
index on classification goes: the access policy's `classification <= clearance` keeps
most rows, and SQLite, which has no statistics to know it, chose that index over a plain
scan and read every row through it. On PostgreSQL a trigram GIN index (pg_trgm) lets a
search of the folded text (`search_text LIKE '%word%'`) read only the matching rows;
SQLite has no such index and scans.
"""

from django.db import migrations, models

TRGM_INDEX = "dossier_search_trgm_idx"


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON dossiers_dossier "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="dossier", name="dossier_class_idx"),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                fields=["status", "-opened_on", "-id"], name="dossier_status_opened_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["resolved_on", "id"], name="dossier_resolved_idx"),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["title", "id"], name="dossier_title_idx"),
        ),
        migrations.RunPython(add_trigram_index, drop_trigram_index, elidable=False),
    ]
