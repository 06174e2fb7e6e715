"""Search keys rebuilt: full birth dates, and surnames' common pinyin readings (subjects.matching)."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from phoihop.subjects.matching import rebuild_keys

    rebuild_keys(
        apps.get_model("subjects", "Subject"),
        apps.get_model("subjects", "SubjectNameKey"),
        apps.get_model("subjects", "IdentityDocument"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("subjects", "0009_imports"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
