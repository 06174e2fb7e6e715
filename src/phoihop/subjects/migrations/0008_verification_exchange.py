"""The verification exchange: state, carrying dispatch, data sent, new outcomes.

Old outcomes keep their meaning:
* pending → state sent, no outcome yet;
* clarified → answered; "record found" when the person is a suspect in the dossier (a
  record is what is asked about a suspect), otherwise "identity confirmed";
* unresolved with an answer → answered, "no record"; without an answer text → closed
  as "not answered in time", the old answer date becoming the closing date.
"""

import django.db.models.deletion
from django.db import migrations, models

SUSPECT = "suspect"


def forwards(apps, schema_editor):
    Verification = apps.get_model("subjects", "Verification")
    DossierSubject = apps.get_model("subjects", "DossierSubject")
    suspects = models.Exists(
        DossierSubject.objects.filter(
            dossier_id=models.OuterRef("dossier_id"),
            subject_id=models.OuterRef("subject_id"),
            role=SUSPECT,
        )
    )
    rows = Verification.objects.all()
    rows.filter(outcome="pending").update(outcome="", state="sent")
    clarified = rows.filter(outcome="clarified")
    clarified.filter(suspects).update(
        outcome="record_found", state="answered", closed_on=models.F("answered_on")
    )
    clarified.update(outcome="confirmed", state="answered", closed_on=models.F("answered_on"))
    unresolved = rows.filter(outcome="unresolved")
    unresolved.exclude(answer="").update(
        outcome="no_record", state="answered", closed_on=models.F("answered_on")
    )
    unresolved.filter(answer="").update(
        outcome="not_answered", state="closed", closed_on=models.F("answered_on"), answered_on=None
    )


def backwards(apps, schema_editor):
    Verification = apps.get_model("subjects", "Verification")
    rows = Verification.objects.all()
    rows.filter(state="sent").update(outcome="pending")
    rows.filter(outcome__in=["confirmed", "record_found"]).update(outcome="clarified")
    rows.filter(outcome="no_record").update(outcome="unresolved")
    rows.filter(outcome="not_answered").update(
        outcome="unresolved", answered_on=models.F("closed_on")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_initial"),
        ("subjects", "0007_merge"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="verification",
            name="verif_category_due_idx",
        ),
        migrations.AddField(
            model_name="verification",
            name="answer_message",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="answered_verifications",
                to="dossiers.message",
                verbose_name="công văn trả lời",
            ),
        ),
        migrations.AddField(
            model_name="verification",
            name="closed_on",
            field=models.DateField(blank=True, null=True, verbose_name="ngày kết thúc"),
        ),
        migrations.AddField(
            model_name="verification",
            name="data_sent",
            field=models.JSONField(blank=True, default=list, verbose_name="thông tin đã gửi"),
        ),
        migrations.AddField(
            model_name="verification",
            name="message",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="verifications",
                to="dossiers.message",
                verbose_name="công văn đề nghị",
            ),
        ),
        migrations.AddField(
            model_name="verification",
            name="state",
            field=models.CharField(
                choices=[
                    ("sent", "Đã gửi, chờ trả lời"),
                    ("answered", "Đã có trả lời"),
                    ("closed", "Đã đóng, không được trả lời"),
                ],
                default="sent",
                max_length=16,
                verbose_name="trạng thái",
            ),
        ),
        # Widen the choices first (data still holds the old values), map, then settle.
        migrations.AlterField(
            model_name="verification",
            name="outcome",
            field=models.CharField(blank=True, default="", max_length=16, verbose_name="kết quả"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="verification",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("confirmed", "Xác nhận đúng nhân thân"),
                    ("record_found", "Có hồ sơ, thông tin về người này"),
                    ("no_record", "Không có hồ sơ, thông tin về người này"),
                    ("not_answered", "Không được trả lời đúng hạn"),
                ],
                default="",
                max_length=16,
                verbose_name="kết quả",
            ),
        ),
        migrations.AddIndex(
            model_name="verification",
            index=models.Index(
                fields=["category", "due_on"],
                include=("answered_on", "outcome"),
                name="verif_category_due_v2_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="verification",
            index=models.Index(
                fields=["requested_of", "state", "due_on"], name="verif_asked_open_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="verification",
            index=models.Index(
                fields=["requested_by", "state", "due_on"], name="verif_asking_open_idx"
            ),
        ),
    ]
