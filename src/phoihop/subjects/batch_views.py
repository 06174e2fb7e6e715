"""Pages for checking a list of persons at once (subjects.batch): upload, result, row actions."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from phoihop.accounts.models import Agency
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors
from phoihop.core.views import AllowedUsersMixin
from phoihop.dossiers.choices import OPEN_STATUSES, MessageDirection
from phoihop.dossiers.models import Dossier, Message
from phoihop.subjects import batch as batches
from phoihop.subjects import services
from phoihop.subjects.choices import (
    DEFAULT_SENT_FIELDS,
    DocumentKind,
    Sex,
    SubjectRole,
    VerificationField,
)
from phoihop.subjects.forms import AccessPurposeForm
from phoihop.subjects.models import Subject

ROWS_PER_PAGE = 50
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SHOW_CHOICES = ("all", "todo", "errors", "none")
# Matching work per request: a long list is matched over several short requests.
ADVANCE_SECONDS = 3.0


def _changeable_dossiers(user):
    return (
        policy.restrict(Dossier.objects.all(), user, policy.CHANGE)
        .filter(status__in=OPEN_STATUSES)
        .order_by("-opened_on", "-id")
    )


class DossierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.reference} – {obj.title}"


class BatchUploadForm(AccessPurposeForm):
    file = forms.FileField(
        label=gettext_lazy("Tệp danh sách"),
        allow_empty_file=True,  # the reader says "Tệp rỗng" in its own words
        help_text=gettext_lazy(
            "CSV (UTF-8) hoặc XLSX, dòng đầu là tiêu đề theo mẫu: ho_ten, ten_goc, ten_latinh, "
            "gioi_tinh, ngay_sinh, quoc_tich, dan_toc, so_giay_to. Mỗi dòng cần ít nhất một "
            "dạng tên. Tối đa %(n)s dòng mỗi lần kiểm tra."
        )
        % {"n": f"{batches.MAX_ROWS:,}".replace(",", ".")},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet"
            }
        ),
    )
    dossier = DossierChoiceField(
        label=gettext_lazy("Hồ sơ phối hợp của danh sách"),
        queryset=Dossier.objects.none(),
        required=False,
        empty_label=gettext_lazy("— không gắn với hồ sơ nào —"),
        help_text=gettext_lazy(
            "Nếu chọn: người được xác nhận hoặc tạo mới sẽ được đưa vào hồ sơ này với tư cách "
            "người cần xác minh."
        ),
    )
    field_order = ["file", "dossier", "purpose", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossier"].queryset = _changeable_dossiers(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Tệp quá lớn (tối đa %(n)d MB).") % {"n": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class _Casework(AllowedUsersMixin):
    def allowed(self, user) -> bool:
        return user.does_casework


class _OwnBatch(_Casework):
    """A page about one of the user's kept lists (and one row of it): 404 for anyone else."""

    def allowed(self, user) -> bool:
        if not super().allowed(user):
            return False
        try:
            self.batch = batches.batch_load(user, self.kwargs["token"])
            self.row = None
            if "row" in self.kwargs:
                # Rows are acted on once the whole list is matched (the page links them then).
                if not self.batch.complete:
                    return False
                self.row = self.batch.row(self.kwargs["row"])
        except policy.NotFound:
            return False
        return True

    def back(self, number: int | None = None) -> str:
        url = reverse("subjects:batch-result", args=[self.batch.token])
        return f"{url}#dong-{number}" if number else url


class BatchUploadView(_Casework, View):
    template_name = "subjects/batch_upload.html"

    def _render(self, request, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "max_rows": f"{batches.MAX_ROWS:,}".replace(",", "."),
                "recent": batches.user_batches(request.user),
            },
            status=status,
        )

    def get(self, request):
        return self._render(request, BatchUploadForm(user=request.user))

    def post(self, request):
        form = BatchUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                batch = batches.batch_start(
                    actor=request.user,
                    fileobj=upload,
                    filename=upload.name,
                    purpose=data["purpose"],
                    note=data["note"],
                    dossier=data["dossier"],
                )
                batches.batch_advance(actor=request.user, batch=batch, seconds=ADVANCE_SECONDS)
            except batches.BatchError as exc:
                form.add_error("file", exc.message)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("subjects:batch-result", token=batch.token)
        return self._render(request, form, status=400)


class BatchResultView(_OwnBatch, View):
    template_name = "subjects/batch_result.html"

    def post(self, request, token):
        """Match the next part of a list still being matched."""
        if not self.batch.complete:
            batches.batch_advance(actor=request.user, batch=self.batch, seconds=ADVANCE_SECONDS)
        if request.htmx:
            return HttpResponse(headers={"HX-Refresh": "true"})
        return redirect(self.back())

    def get(self, request, token):
        batch = self.batch
        if not batch.complete:
            return render(
                request,
                "subjects/batch_progress.html",
                {
                    "batch": batch,
                    "matched": batch.matched,
                    "total": len(batch.rows),
                    "percent": 100 * batch.matched // max(len(batch.rows), 1),
                },
            )
        show = request.GET.get("show", "all")
        show = show if show in SHOW_CHOICES else "all"
        rows = batch.rows
        if show == "todo":
            rows = [r for r in rows if not r["outcome"] and r["candidates"]]
        elif show == "errors":
            rows = [r for r in rows if r["errors"]]
        elif show == "none":
            rows = [r for r in rows if not r["candidates"] and not r["outcome"]]
        page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        ids = set()
        for row in page.object_list:
            ids.update(c[0] for c in row["candidates"])
            if row["outcome"]:
                ids.add(row["outcome"]["subject"])
        # The persons shown, in one query, through the policy: one no longer visible drops out.
        persons = {
            s.pk: s
            for s in policy.restrict(Subject.objects.filter(pk__in=ids), request.user)
            .select_related("owner_agency")
            .prefetch_related("documents")
        }
        dossiers = {
            d.pk: d
            for d in policy.restrict(
                Dossier.objects.filter(
                    pk__in={batch.dossier_id}
                    | {(r["outcome"] or {}).get("dossier") for r in page.object_list}
                ),
                request.user,
            )
        }
        shown = [
            {
                "number": row["row"],
                "received": [(c, row["received"].get(c, "")) for c in batches.TEMPLATE_COLUMNS],
                "errors": row["errors"],
                "candidates": [
                    {
                        "subject": persons[pk],
                        "score": score,
                        "reasons": [{"field": f, "verdict": v, "text": t} for f, v, t in reasons],
                        "chosen": bool(row["outcome"]) and row["outcome"]["subject"] == pk,
                    }
                    for pk, score, reasons in row["candidates"]
                    if pk in persons
                ],
                "outcome": row["outcome"],
                "outcome_subject": persons.get((row["outcome"] or {}).get("subject")),
                "outcome_dossier": dossiers.get((row["outcome"] or {}).get("dossier")),
            }
            for row in page.object_list
        ]
        counts = {
            "rows": len(batch.rows),
            "matched": sum(1 for r in batch.rows if r["candidates"]),
            "none": sum(1 for r in batch.rows if not r["candidates"]),
            "errors": sum(1 for r in batch.rows if r["errors"]),
            "done": sum(1 for r in batch.rows if r["outcome"]),
        }
        return render(
            request,
            self.template_name,
            {
                "batch": batch,
                "created": dt.datetime.fromtimestamp(batch.created, tz=dt.UTC),
                "dossier": dossiers.get(batch.dossier_id),
                "page_obj": page,
                "rows": shown,
                "counts": counts,
                "show": show,
                "show_choices": [
                    ("all", _("Tất cả")),
                    ("todo", _("Có ứng viên, chưa xử lý")),
                    ("none", _("Không có ứng viên")),
                    ("errors", _("Có lỗi")),
                ],
            },
        )


class BatchConfirmView(_OwnBatch, View):
    """POST: the row is this candidate."""

    def post(self, request, token, row):
        try:
            subject_id = int(request.POST.get("candidate", ""))
        except ValueError:
            raise policy.NotFound from None
        try:
            subject = batches.batch_confirm(
                actor=request.user, batch=self.batch, number=row, subject_id=subject_id
            )
        except ServiceError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Dòng %(r)d: đã xác nhận là %(n)s.") % {"r": row, "n": subject.full_name},
            )
        return redirect(self.back(row))


class BatchCreateForm(forms.Form):
    """A person from a row of the list: the template's columns, prefilled, to correct."""

    full_name = forms.CharField(
        label=gettext_lazy("Họ và tên (tiếng Việt)"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Để trống nếu chỉ có tên chữ Hán: hệ thống gợi ý âm Hán Việt."),
    )
    native_name = forms.CharField(
        label=gettext_lazy("Tên theo chữ gốc"), max_length=255, required=False
    )
    latin_name = forms.CharField(
        label=gettext_lazy("Tên Latin trên hộ chiếu"), max_length=255, required=False
    )
    sex = forms.ChoiceField(label=gettext_lazy("Giới tính"), choices=Sex.choices)
    birth_year = forms.IntegerField(label=gettext_lazy("Năm sinh"), required=False)
    birth_month = forms.IntegerField(label=gettext_lazy("Tháng sinh"), required=False)
    birth_day = forms.IntegerField(label=gettext_lazy("Ngày sinh"), required=False)
    nationality = forms.CharField(
        label=gettext_lazy("Quốc tịch"),
        max_length=2,
        help_text=gettext_lazy("Mã 2 chữ cái: VN, CN, LA…"),
    )
    ethnicity = forms.CharField(label=gettext_lazy("Dân tộc"), max_length=64, required=False)
    document_kind = forms.ChoiceField(
        label=gettext_lazy("Loại giấy tờ"),
        required=False,
        choices=[("", "—"), *DocumentKind.choices],
    )
    document_number = forms.CharField(
        label=gettext_lazy("Số giấy tờ"), max_length=64, required=False
    )
    role = forms.ChoiceField(label=gettext_lazy("Tư cách trong hồ sơ"), choices=SubjectRole.choices)
    not_any = forms.BooleanField(
        label=gettext_lazy("Người này không phải ai trong số những người có thể trùng ở trên"),
        required=False,
    )

    def __init__(self, *args, in_dossier: bool, has_candidates: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not in_dossier:
            del self.fields["role"]
        if has_candidates:
            self.fields["not_any"].required = True
            self.fields["not_any"].error_messages["required"] = _(
                "Hãy xem những người có thể trùng: xác nhận một người ở danh sách kết quả, "
                "hoặc đánh dấu ô này nếu đây là người khác."
            )
        else:
            del self.fields["not_any"]

    def clean(self):
        data = super().clean()
        if bool(data.get("document_kind")) != bool(data.get("document_number")):
            self.add_error("document_number", _("Cần nhập cả loại và số giấy tờ."))
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        kind, number = data.pop("document_kind", ""), data.pop("document_number", "")
        data.pop("role", None)
        data.pop("not_any", None)
        data["documents"] = (
            [{"kind": kind, "number": number, "country": (data["nationality"] or "VN").upper()}]
            if kind and number
            else []
        )
        return data


class BatchCreateView(_OwnBatch, View):
    """Register the row's person, from a form prefilled with the row as received."""

    template_name = "subjects/batch_create.html"

    def _candidates(self, request):
        scores = {c[0]: c[1] for c in self.row["candidates"]}
        visible = policy.restrict(Subject.objects.filter(pk__in=list(scores)), request.user)
        return sorted(((scores[s.pk], s) for s in visible), key=lambda p: (-p[0], p[1].pk))

    def _render(self, request, form, candidates, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "batch": self.batch,
                "row": self.row,
                "dossier": batches.batch_dossier(self.batch, request.user),
                "candidates": candidates,
                "back": self.back(self.row["row"]),
            },
            status=status,
        )

    def _form(self, data=None, *, candidates):
        return BatchCreateForm(
            data,
            in_dossier=self.batch.dossier_id is not None,
            has_candidates=bool(candidates),
            initial=batches.row_initial(self.row),
        )

    def get(self, request, token, row):
        candidates = self._candidates(request)
        return self._render(request, self._form(candidates=candidates), candidates)

    def post(self, request, token, row):
        candidates = self._candidates(request)
        # The persons shown on the page, declared others by ticking `not_any`.
        shown = [s.pk for _score, s in candidates]
        for pk in request.POST.getlist("shown"):
            if pk.isdigit():
                shown.append(int(pk))
        form = self._form(request.POST, candidates=candidates or shown)
        if form.is_valid():
            try:
                subject = batches.batch_create(
                    actor=request.user,
                    batch=self.batch,
                    number=row,
                    role=form.cleaned_data.get("role", ""),
                    distinct_from=shown if form.cleaned_data.get("not_any") else (),
                    **form.service_kwargs(),
                )
            except services.LikelyDuplicates as exc:
                # Someone the row's check did not list (registered since, or found by a
                # document number): shown now, to be declared another person too.
                listed = {s.pk for _score, s in candidates}
                candidates = candidates + [
                    (c.score, c.subject) for c in exc.candidates if c.id not in listed
                ]
                form = self._form(request.POST, candidates=candidates)
                form.is_valid()
                form.add_error(None, exc.messages[0])
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Dòng %(r)d: đã ghi nhận đối tượng %(n)s.")
                    % {"r": row, "n": subject.full_name},
                )
                return redirect(self.back(row))
        return self._render(request, form, candidates, status=400)


class BatchRequestForm(forms.Form):
    subject = forms.TypedChoiceField(label=gettext_lazy("Người cần xác minh"), coerce=int)
    dossier = DossierChoiceField(
        label=gettext_lazy("Hồ sơ phối hợp"),
        queryset=Dossier.objects.none(),
        help_text=gettext_lazy(
            "Yêu cầu xác minh thuộc một hồ sơ; người này được đưa vào hồ sơ nếu chưa có."
        ),
    )
    requested_of = forms.ModelChoiceField(
        label=gettext_lazy("Đề nghị cơ quan, đối tác"),
        queryset=Agency.objects.none(),
        help_text=gettext_lazy("Một bên của hồ sơ, hoặc đối tác nước ngoài của hồ sơ."),
    )
    question = forms.CharField(
        label=gettext_lazy("Nội dung đề nghị xác minh"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    fields = forms.MultipleChoiceField(
        label=gettext_lazy("Thông tin của đối tượng gửi kèm"),
        choices=VerificationField.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=DEFAULT_SENT_FIELDS,
        help_text=gettext_lazy("Chỉ gửi thông tin cần cho việc xác minh."),
    )
    message = forms.ModelChoiceField(
        label=gettext_lazy("Công văn mang đề nghị (đã ghi)"),
        queryset=Message.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Công văn đi của cơ quan bạn trong hồ sơ đã chọn: một công văn có thể mang đề nghị "
            "xác minh nhiều người của danh sách."
        ),
    )
    message_number_symbol = forms.CharField(
        label=gettext_lazy("Hoặc ghi công văn mới: số, ký hiệu"),
        required=False,
        max_length=64,
        help_text=gettext_lazy("Ví dụ: 125/CAT-PX13. Công văn được ghi vào hồ sơ cùng đề nghị."),
    )
    message_summary = forms.CharField(
        label=gettext_lazy("Trích yếu công văn mới"), required=False, max_length=500
    )
    response_days = forms.IntegerField(
        label=gettext_lazy("Thời hạn trả lời (ngày làm việc)"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=gettext_lazy(
            "Để trống: theo khoản của quy chế. Với đối tác nước ngoài mà quy chế không quy "
            "định, cần nhập (thường là 15 ngày). Không tính thứ Bảy, Chủ nhật, ngày lễ, Tết."
        ),
    )

    def __init__(self, *args, user, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [
            (s.pk, " – ".join(p for p in (s.full_name, s.native_name, s.birth_display) if p))
            for s in persons
        ]
        if len(persons) == 1:
            self.fields["subject"].initial = persons[0].pk
        dossiers = _changeable_dossiers(user)
        self.fields["dossier"].queryset = dossiers
        self.fields["requested_of"].queryset = (
            Agency.objects.filter(successor__isnull=True)
            .exclude(pk=user.agency_id)
            .order_by("kind", "name")
        )
        self.fields["message"].queryset = (
            policy.restrict(Message.objects.all(), user)
            .filter(
                dossier__in=dossiers.values("pk"),
                direction=MessageDirection.OUTGOING,
                sender_id=user.agency_id,
            )
            .select_related("recipient", "dossier")
            .order_by("-sent_on", "-id")
        )
        self.fields["message"].label_from_instance = lambda m: (
            f"{m.dossier.reference}: {m.number_symbol} ({m.sent_on:%d/%m/%Y}) → "
            f"{m.recipient.short_name}"
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        number = data["message_number_symbol"].strip()
        return {
            "response_days": data["response_days"],
            "fields": list(data["fields"]),
            "message": data["message"],
            "new_message": (
                {"number_symbol": number, "summary": data["message_summary"].strip()}
                if number
                else None
            ),
        }


class BatchRequestView(_OwnBatch, View):
    """Open a verification request for the row's person, in a dossier the officer chooses."""

    template_name = "subjects/batch_request.html"

    def _persons(self, request):
        ids = batches.row_subject_ids(self.row)
        found = {s.pk: s for s in policy.restrict(Subject.objects.filter(pk__in=ids), request.user)}
        return [found[pk] for pk in ids if pk in found]

    def _render(self, request, form, persons, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "batch": self.batch,
                "row": self.row,
                "persons": persons,
                "back": self.back(self.row["row"]),
            },
            status=status,
        )

    def get(self, request, token, row):
        persons = self._persons(request)
        initial = {
            "dossier": self.batch.dossier_id,
            "question": batches.question_text(self.batch, self.row),
        }
        form = BatchRequestForm(user=request.user, persons=persons, initial=initial)
        return self._render(request, form, persons)

    def post(self, request, token, row):
        persons = self._persons(request)
        form = BatchRequestForm(request.POST, user=request.user, persons=persons)
        if persons and form.is_valid():
            data = form.cleaned_data
            try:
                verification = batches.batch_request_verification(
                    actor=request.user,
                    batch=self.batch,
                    number=row,
                    subject_id=data["subject"],
                    dossier=data["dossier"],
                    requested_of=data["requested_of"],
                    question=data["question"],
                    **form.service_kwargs(),
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Dòng %(r)d: đã gửi đề nghị %(a)s xác minh %(n)s.")
                    % {
                        "r": row,
                        "a": verification.requested_of.short_name,
                        "n": verification.subject.full_name,
                    },
                )
                return redirect(self.back(row))
        return self._render(request, form, persons, status=400)


urlpatterns = [
    path("batch/", BatchUploadView.as_view(), name="batch"),
    path("batch/<str:token>/", BatchResultView.as_view(), name="batch-result"),
    path("batch/<str:token>/<int:row>/confirm/", BatchConfirmView.as_view(), name="batch-confirm"),
    path("batch/<str:token>/<int:row>/create/", BatchCreateView.as_view(), name="batch-create"),
    path("batch/<str:token>/<int:row>/request/", BatchRequestView.as_view(), name="batch-request"),
]
