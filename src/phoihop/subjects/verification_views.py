"""Verification requests: make one on a dossier, answer it, close it unanswered, list them.

Who acts on a request (see `services.verification_answer`): a domestic agency asked
records its own answer; the foreign side's reply comes by dispatch and the requesting
agency records it; only the requesting agency closes a request as not answered in time.
Everything is read through the access policy: a request follows its dossier.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from phoihop.accounts.choices import AgencyKind
from phoihop.accounts.models import Agency
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import DateInput, add_service_errors
from phoihop.core.workdays import add_working_days
from phoihop.dossiers.choices import MessageDirection
from phoihop.dossiers.models import Dossier, Message
from phoihop.subjects import services
from phoihop.subjects.choices import (
    ANSWER_OUTCOMES,
    DEFAULT_SENT_FIELDS,
    AccessKind,
    VerificationField,
    VerificationOutcome,
    VerificationState,
)
from phoihop.subjects.models import Subject, Verification
from phoihop.subjects.selectors import VERIFICATION_RELATED as _RELATED
from phoihop.subjects.views import _declared_purpose

PAGE_SIZE = 50


# --- forms ------------------------------------------------------------------------------------


class VerificationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"),
        required=False,
        choices=[("", gettext_lazy("Tất cả")), *VerificationState.choices],
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Chiều"),
        required=False,
        choices=[
            ("", gettext_lazy("Tất cả")),
            ("to_me", gettext_lazy("Gửi đến cơ quan tôi")),
            ("from_me", gettext_lazy("Cơ quan tôi gửi đi")),
        ],
    )
    overdue = forms.BooleanField(label=gettext_lazy("Chỉ yêu cầu đã quá hạn"), required=False)


class VerificationRequestForm(forms.Form):
    subject = forms.ModelChoiceField(
        label=gettext_lazy("Đối tượng cần xác minh"), queryset=Subject.objects.none()
    )
    requested_of = forms.ModelChoiceField(
        label=gettext_lazy("Đề nghị cơ quan, đối tác"),
        queryset=Agency.objects.none(),
        help_text=gettext_lazy("Một bên của hồ sơ, hoặc đối tác nước ngoài của hồ sơ."),
    )
    question = forms.CharField(
        label=gettext_lazy("Nội dung đề nghị xác minh"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=gettext_lazy(
            "Đề nghị xác minh nhân thân, nơi cư trú và tiền án, tiền sự (nếu có)."
        ),
    )
    fields = forms.MultipleChoiceField(
        label=gettext_lazy("Thông tin của đối tượng gửi kèm"),
        choices=VerificationField.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=DEFAULT_SENT_FIELDS,
        help_text=gettext_lazy(
            "Chỉ gửi thông tin cần cho việc xác minh. Thông tin trống không được gửi; "
            "bấm «Xem trước» để xem đúng nội dung sẽ gửi."
        ),
    )
    message = forms.ModelChoiceField(
        label=gettext_lazy("Công văn mang đề nghị (đã ghi)"),
        queryset=Message.objects.none(),
        required=False,
        help_text=gettext_lazy("Công văn đi của cơ quan bạn trong hồ sơ này."),
    )
    message_number_symbol = forms.CharField(
        label=gettext_lazy("Hoặc ghi công văn mới: số, ký hiệu"),
        required=False,
        max_length=64,
        help_text=gettext_lazy("Ví dụ: 125/CAT-PX13. Công văn được ghi vào hồ sơ cùng đề nghị."),
    )
    message_summary = forms.CharField(
        label=gettext_lazy("Trích yếu công văn mới"),
        required=False,
        help_text=gettext_lazy("Để trống: «Đề nghị xác minh đối tượng …»."),
    )
    requested_on = forms.DateField(
        label=gettext_lazy("Ngày đề nghị"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("Để trống: ngày của công văn mang đề nghị, hoặc hôm nay."),
    )
    response_days = forms.IntegerField(
        label=gettext_lazy("Thời hạn trả lời (ngày làm việc)"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=gettext_lazy(
            "Để trống: theo khoản của quy chế; với đối tác nước ngoài, nếu quy chế không quy "
            "định, 15 ngày làm việc. Không tính thứ Bảy, Chủ nhật, ngày lễ, Tết."
        ),
    )

    def __init__(self, *args, dossier: Dossier, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = (
            policy.restrict(Subject.objects.all(), user)
            .filter(dossier_links__dossier=dossier)
            .distinct()
            .order_by("full_name", "id")
        )
        self.fields["requested_of"].queryset = (
            Agency.objects.filter(
                Q(dossier_parties__dossier=dossier) | Q(pk=dossier.counterpart_id)
            )
            .exclude(pk=user.agency_id)
            .distinct()
            .order_by("kind", "name")
        )
        self.fields["message"].queryset = (
            policy.restrict(Message.objects.all(), user)
            .filter(dossier=dossier, direction=MessageDirection.OUTGOING, sender_id=user.agency_id)
            .select_related("recipient")
            .order_by("-sent_on", "-id")
        )
        self.fields["message"].label_from_instance = lambda m: (
            f"{m.number_symbol} ({m.sent_on:%d/%m/%Y}) → {m.recipient.short_name}: {m.summary[:80]}"
        )


class VerificationAnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Kết quả xác minh"),
        choices=[(v, label) for v, label in VerificationOutcome.choices if v in ANSWER_OUTCOMES],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=gettext_lazy("Nội dung trả lời"), widget=forms.Textarea(attrs={"rows": 3})
    )
    answered_on = forms.DateField(
        label=gettext_lazy("Ngày trả lời"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("Để trống: hôm nay."),
    )
    answer_message = forms.ModelChoiceField(
        label=gettext_lazy("Công văn trả lời"),
        queryset=Message.objects.none(),
        required=False,
        help_text=gettext_lazy("Nếu trả lời bằng công văn đã ghi trong hồ sơ."),
    )

    def __init__(self, *args, verification: Verification, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer_message"].queryset = (
            policy.restrict(Message.objects.all(), user)
            .filter(
                dossier_id=verification.dossier_id,
                sender_id=verification.requested_of_id,
                recipient_id=verification.requested_by_id,
            )
            .order_by("-sent_on", "-id")
        )


class VerificationCloseForm(forms.Form):
    closed_on = forms.DateField(
        label=gettext_lazy("Ngày đóng"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("Để trống: hôm nay. Phải sau hạn trả lời."),
    )


# --- views ------------------------------------------------------------------------------------


class VerificationListView(LoginRequiredMixin, View):
    def get(self, request):
        today = timezone.localdate()
        form = VerificationFilterForm(request.GET or None)
        queryset = policy.restrict(Verification.objects.all(), request.user)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            if data["state"]:
                queryset = queryset.filter(state=data["state"])
            if data["direction"] == "to_me":
                queryset = queryset.filter(requested_of_id=request.user.agency_id)
            elif data["direction"] == "from_me":
                queryset = queryset.filter(requested_by_id=request.user.agency_id)
            if data["overdue"]:
                queryset = queryset.filter(state=VerificationState.SENT, due_on__lt=today)
        page = Paginator(
            queryset.select_related(*_RELATED).order_by("-requested_on", "-id"), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        return render(
            request,
            "subjects/verification_list.html",
            {"form": form, "page_obj": page, "count": page.paginator.count, "today": today},
        )


class VerificationCreateView(LoginRequiredMixin, View):
    """Make a request on a dossier; "Xem trước" shows what would be sent, saving nothing."""

    def _dossier(self, request, dossier_pk):
        return policy.get_or_404(
            Dossier.objects.select_related("counterpart"),
            request.user,
            policy.CHANGE,
            pk=dossier_pk,
        )

    def _render(self, request, dossier, form, preview=None, status=200):
        return render(
            request,
            "subjects/verification_form.html",
            {"dossier": dossier, "form": form, "preview": preview},
            status=status,
        )

    def get(self, request, dossier_pk):
        dossier = self._dossier(request, dossier_pk)
        initial = {}
        if request.GET.get("subject", "").isdigit():
            initial["subject"] = int(request.GET["subject"])
        form = VerificationRequestForm(dossier=dossier, user=request.user, initial=initial)
        return self._render(request, dossier, form)

    def post(self, request, dossier_pk):
        dossier = self._dossier(request, dossier_pk)
        form = VerificationRequestForm(request.POST, dossier=dossier, user=request.user)
        if not form.is_valid():
            return self._render(request, dossier, form, status=400)
        data = form.cleaned_data
        if "preview" in request.POST:
            requested_on = (
                data["requested_on"]
                or (data["message"].sent_on if data["message"] else None)
                or timezone.localdate()
            )
            days = data["response_days"] or services.verification_response_days(
                dossier, data["requested_of"]
            )
            preview = {
                "rows": services.verification_data(data["subject"], data["fields"]),
                "requested_of": data["requested_of"],
                "requested_on": requested_on,
                "due_on": add_working_days(requested_on, days) if days else None,
                "days": days,
            }
            return self._render(request, dossier, form, preview=preview)
        new_message = None
        if data["message_number_symbol"]:
            new_message = {
                "number_symbol": data["message_number_symbol"],
                "summary": data["message_summary"],
            }
        try:
            verification = services.verification_request(
                actor=request.user,
                dossier=dossier,
                subject=data["subject"],
                requested_of=data["requested_of"],
                question=data["question"],
                requested_on=data["requested_on"],
                response_days=data["response_days"],
                message=data["message"],
                new_message=new_message,
                fields=data["fields"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
            return self._render(request, dossier, form, status=400)
        messages.success(request, _("Đã gửi đề nghị xác minh."))
        return redirect(verification.dossier)


def _verification_or_404(request, pk, action=policy.VIEW):
    return policy.get_or_404(
        Verification.objects.select_related(
            *_RELATED, "dossier__category", "message", "answer_message"
        ),
        request.user,
        action,
        pk=pk,
    )


def _detail(request, verification, *, answer_form=None, close_form=None, status=200):
    user = request.user
    sent = verification.state == VerificationState.SENT
    answering = (
        verification.requested_by_id
        if verification.requested_of.kind == AgencyKind.FOREIGN
        else verification.requested_of_id
    )
    ctx = {"v": verification, "today": timezone.localdate()}
    # The data sent is a person's personal data: shown, and logged, once the reader has
    # declared why they open that person's file (as on the person's own page).
    if verification.data_sent and (declared := _declared_purpose(request, verification.subject_id)):
        services.subject_access_record(
            actor=user,
            subjects=[verification.subject],
            kind=AccessKind.VIEW,
            purpose=declared[0],
            note=declared[1],
        )
        ctx["data_sent_shown"] = True
    if sent and user.agency_id == answering:
        ctx["answer_form"] = answer_form or VerificationAnswerForm(
            verification=verification, user=user
        )
    if sent and user.agency_id == verification.requested_by_id and verification.overdue:
        ctx["close_form"] = close_form or VerificationCloseForm()
    return render(request, "subjects/verification_detail.html", ctx, status=status)


class VerificationDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        return _detail(request, _verification_or_404(request, pk))


class VerificationAnswerView(LoginRequiredMixin, View):
    def post(self, request, pk):
        verification = _verification_or_404(request, pk, policy.CHANGE)
        form = VerificationAnswerForm(request.POST, verification=verification, user=request.user)
        if form.is_valid():
            try:
                services.verification_answer(
                    actor=request.user, verification=verification, **form.cleaned_data
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã ghi trả lời yêu cầu xác minh."))
                return redirect(verification.dossier)
        return _detail(request, verification, answer_form=form, status=400)


class VerificationCloseView(LoginRequiredMixin, View):
    def post(self, request, pk):
        verification = _verification_or_404(request, pk, policy.CHANGE)
        form = VerificationCloseForm(request.POST)
        if form.is_valid():
            try:
                services.verification_close_unanswered(
                    actor=request.user,
                    verification=verification,
                    closed_on=form.cleaned_data["closed_on"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã đóng yêu cầu xác minh: không được trả lời đúng hạn.")
                )
                return redirect(verification.dossier)
        return _detail(request, verification, close_form=form, status=400)


urlpatterns = [
    path("verifications/", VerificationListView.as_view(), name="verification-list"),
    path(
        "verifications/new/<int:dossier_pk>/",
        VerificationCreateView.as_view(),
        name="verification-create",
    ),
    path("verifications/<int:pk>/", VerificationDetailView.as_view(), name="verification-detail"),
    path(
        "verifications/<int:pk>/answer/",
        VerificationAnswerView.as_view(),
        name="verification-answer",
    ),
    path(
        "verifications/<int:pk>/close/",
        VerificationCloseView.as_view(),
        name="verification-close",
    ),
]
