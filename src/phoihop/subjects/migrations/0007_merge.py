"""Person records: several addresses, an optional photo, confirmed readings; merging duplicates."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import phoihop.subjects.models


def copy_addresses(apps, schema_editor):
    """The single address recorded so far becomes the person's first address."""
    Subject = apps.get_model("subjects", "Subject")
    SubjectAddress = apps.get_model("subjects", "SubjectAddress")
    rows = (
        Subject.objects.exclude(address="").values_list("pk", "address").iterator(chunk_size=2000)
    )
    batch = []
    for pk, address in rows:
        batch.append(SubjectAddress(subject_id=pk, kind="residence", text=address))
        if len(batch) >= 2000:
            SubjectAddress.objects.bulk_create(batch)
            batch = []
    SubjectAddress.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("subjects", "0006_name_keys"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="subject",
            name="readings_confirmed",
            field=models.BooleanField(default=False, verbose_name="cán bộ đã xác nhận cách đọc"),
        ),
        migrations.AddField(
            model_name="subject",
            name="photo",
            field=models.FileField(
                blank=True, upload_to=phoihop.subjects.models.photo_path, verbose_name="ảnh"
            ),
        ),
        migrations.AddField(
            model_name="subject",
            name="photo_content_type",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name="subject",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="merged_records",
                to="subjects.subject",
                verbose_name="đã gộp vào",
            ),
        ),
        migrations.CreateModel(
            name="SubjectAddress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("residence", "Nơi cư trú"),
                            ("permanent", "Nơi thường trú"),
                            ("temporary", "Nơi tạm trú"),
                            ("abroad", "Địa chỉ ở nước ngoài"),
                            ("other", "Địa chỉ khác"),
                        ],
                        default="residence",
                        max_length=16,
                        verbose_name="loại địa chỉ",
                    ),
                ),
                ("text", models.CharField(max_length=500, verbose_name="địa chỉ")),
                ("country", models.CharField(default="VN", max_length=2, verbose_name="quốc gia")),
                (
                    "subject",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="addresses",
                        to="subjects.subject",
                        verbose_name="đối tượng",
                    ),
                ),
            ],
            options={
                "verbose_name": "địa chỉ",
                "verbose_name_plural": "địa chỉ",
                "ordering": ["subject", "id"],
            },
        ),
        migrations.CreateModel(
            name="SubjectMerge",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reason", models.CharField(max_length=500, verbose_name="lý do gộp")),
                ("merged_at", models.DateTimeField(verbose_name="thời điểm gộp")),
                ("moved", models.JSONField(default=dict, verbose_name="nội dung đã chuyển")),
                (
                    "undone_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="thời điểm hoàn tác"),
                ),
                (
                    "kept",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merges_kept",
                        to="subjects.subject",
                        verbose_name="hồ sơ giữ lại",
                    ),
                ),
                (
                    "merged",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merges_merged",
                        to="subjects.subject",
                        verbose_name="hồ sơ gộp",
                    ),
                ),
                (
                    "merged_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người gộp",
                    ),
                ),
                (
                    "undone_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người hoàn tác",
                    ),
                ),
            ],
            options={
                "verbose_name": "lần gộp hồ sơ đối tượng",
                "verbose_name_plural": "các lần gộp hồ sơ đối tượng",
                "ordering": ["-merged_at", "-id"],
            },
        ),
        migrations.RunPython(copy_addresses, migrations.RunPython.noop),
    ]
