"""Search keys of persons (subjects.matching), filled for the persons already recorded."""

import django.db.models.deletion
from django.db import migrations, models


def fill_keys(apps, schema_editor):
    from phoihop.subjects.matching import rebuild_keys

    rebuild_keys(
        apps.get_model("subjects", "Subject"),
        apps.get_model("subjects", "SubjectNameKey"),
        apps.get_model("subjects", "IdentityDocument"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("subjects", "0005_category_required"),
    ]

    operations = [
        migrations.CreateModel(
            name="SubjectNameKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=16, verbose_name="loại khóa")),
                ("key", models.CharField(max_length=255, verbose_name="khóa")),
                (
                    "subject",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="name_keys",
                        to="subjects.subject",
                        verbose_name="đối tượng",
                    ),
                ),
            ],
            options={
                "verbose_name": "khóa tìm kiếm đối tượng",
                "verbose_name_plural": "khóa tìm kiếm đối tượng",
                "indexes": [
                    models.Index(fields=["kind", "key", "subject"], name="subject_name_key_idx")
                ],
            },
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
