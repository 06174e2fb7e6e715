import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_agency_head_and_succession"),
        ("subjects", "0008_verification_exchange"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")),
                ("file", models.FileField(upload_to="imports/%Y/%m/", verbose_name="tệp")),
                ("filename", models.CharField(max_length=255, verbose_name="tên tệp")),
                ("headers", models.JSONField(default=list, verbose_name="dòng tiêu đề")),
                ("mapping", models.JSONField(default=dict, verbose_name="ghép cột")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("uploaded", "Đã tải lên, chờ ghép cột"),
                            ("checked", "Đã kiểm tra"),
                            ("queued", "Đang chờ ghi"),
                            ("running", "Đang ghi"),
                            ("done", "Đã ghi xong"),
                            ("failed", "Không ghi được"),
                        ],
                        default="uploaded",
                        max_length=16,
                        verbose_name="trạng thái",
                    ),
                ),
                ("row_count", models.PositiveIntegerField(default=0, verbose_name="số dòng")),
                ("error_count", models.PositiveIntegerField(default=0, verbose_name="số lỗi")),
                (
                    "warning_count",
                    models.PositiveIntegerField(default=0, verbose_name="số cảnh báo"),
                ),
                (
                    "created_count",
                    models.PositiveIntegerField(default=0, verbose_name="số người tạo mới"),
                ),
                (
                    "linked_count",
                    models.PositiveIntegerField(default=0, verbose_name="số dòng là người đã có"),
                ),
                ("message", models.TextField(blank=True, verbose_name="thông báo")),
                ("task_id", models.CharField(blank=True, max_length=64, verbose_name="mã tác vụ")),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="bắt đầu ghi"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="kết thúc"),
                ),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.agency",
                        verbose_name="cơ quan lập hồ sơ",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người nhập",
                    ),
                ),
            ],
            options={
                "verbose_name": "lần nhập đối tượng",
                "verbose_name_plural": "các lần nhập đối tượng",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ImportProblem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("row", models.PositiveIntegerField(verbose_name="dòng")),
                ("column", models.CharField(blank=True, max_length=255, verbose_name="cột")),
                (
                    "level",
                    models.CharField(
                        choices=[("error", "Lỗi"), ("warning", "Cảnh báo")],
                        max_length=8,
                        verbose_name="mức",
                    ),
                ),
                ("message", models.TextField(verbose_name="nội dung")),
                ("candidates", models.JSONField(default=list, verbose_name="người có thể trùng")),
                ("same_rows", models.JSONField(default=list, verbose_name="dòng có thể trùng")),
                (
                    "resolution",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Chưa xử lý"),
                            ("link", "Là người đã có (không tạo mới)"),
                            ("accept", "Vẫn tạo người mới"),
                        ],
                        default="",
                        max_length=8,
                        verbose_name="xử lý",
                    ),
                ),
                (
                    "linked_row",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="là người ở dòng"
                    ),
                ),
                (
                    "job",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="problems",
                        to="subjects.importjob",
                    ),
                ),
                (
                    "linked_subject",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="subjects.subject",
                        verbose_name="là người đã có",
                    ),
                ),
            ],
            options={
                "verbose_name": "vấn đề khi nhập",
                "verbose_name_plural": "vấn đề khi nhập",
                "ordering": ["job", "row", "level", "id"],
                "indexes": [
                    models.Index(fields=["job", "level", "row"], name="import_problem_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="ImportRow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("row", models.PositiveIntegerField(verbose_name="dòng")),
                ("fields", models.JSONField(default=dict, verbose_name="dữ liệu")),
                (
                    "job",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rows",
                        to="subjects.importjob",
                    ),
                ),
            ],
            options={
                "verbose_name": "dòng nhập",
                "verbose_name_plural": "dòng nhập",
                "ordering": ["job", "row"],
                "constraints": [
                    models.UniqueConstraint(fields=("job", "row"), name="import_row_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="ImportRowKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("row", models.PositiveIntegerField()),
                ("kind", models.CharField(max_length=16)),
                ("key", models.CharField(max_length=255)),
                ("birth_year", models.PositiveSmallIntegerField(null=True)),
                (
                    "job",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="subjects.importjob",
                    ),
                ),
            ],
            options={
                "verbose_name": "khóa dòng nhập",
                "verbose_name_plural": "khóa dòng nhập",
                "indexes": [
                    models.Index(fields=["job", "kind", "key", "row"], name="import_row_key_idx")
                ],
            },
        ),
    ]
