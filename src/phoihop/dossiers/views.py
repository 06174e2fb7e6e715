import csv

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Max, Prefetch, Q
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import numberformat, timezone, translation
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from phoihop.accounts.choices import Role
from phoihop.core import policy
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors
from phoihop.core.pagination import CappedPaginator
from phoihop.core.text import spreadsheet_cell
from phoihop.core.views import AllowedUsersMixin
from phoihop.dossiers import handling, services
from phoihop.dossiers.choices import CopyKind
from phoihop.dossiers.filtersets import filter_dossiers, sort_dossiers
from phoihop.dossiers.forms import (
    CopyDecisionForm,
    CopyRequestForm,
    DossierEditForm,
    DossierFilterForm,
    DossierForm,
    MessageForm,
    RestrictionsForm,
    TaskForm,
    TransitionForm,
)
from phoihop.dossiers.models import (
    Attachment,
    CopyRecord,
    CopyRequest,
    Dossier,
    DossierParty,
    Message,
    Task,
    TimelineEvent,
)
from phoihop.subjects.models import DossierSubject, Verification

PAGE_SIZE = 50
EXPORT_COLUMNS = [
    ("reference", gettext_lazy("Số hồ sơ")),
    ("title", gettext_lazy("Tên hồ sơ")),
    ("category", gettext_lazy("Lĩnh vực")),
    ("lead_agency", gettext_lazy("Cơ quan chủ trì")),
    ("counterpart", gettext_lazy("Đối tác")),
    ("classification", gettext_lazy("Độ mật")),
    ("status", gettext_lazy("Trạng thái")),
    ("opened_on", gettext_lazy("Ngày mở")),
    ("resolved_on", gettext_lazy("Ngày kết thúc")),
]


def _grouped(n: int) -> str:
    """10000 → "10.000": Django's Vietnamese formats name the separator but group nothing."""
    return numberformat.format(
        n,
        get_format("DECIMAL_SEPARATOR"),
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def _list_queryset(request):
    """The filter form and the sorted list it selects, through the policy.

    A filter value the form refuses selects nothing: dropping just that filter, or all of
    them, would show rows the user did not ask for as if they matched.
    """
    form = DossierFilterForm(request.GET or None)
    queryset = policy.restrict(Dossier.objects.all(), request.user)
    if form.is_bound:
        queryset = (
            filter_dossiers(queryset, form.cleaned_data) if form.is_valid() else queryset.none()
        )
    queryset, sort = sort_dossiers(queryset, request.GET.get("sort"))
    return form, queryset, sort


class DossierListView(LoginRequiredMixin, View):
    def get(self, request):
        form, queryset, sort = _list_queryset(request)
        queryset = queryset.select_related("category", "lead_agency", "counterpart")
        page = CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        template = "dossiers/_rows.html" if request.htmx else "dossiers/list.html"
        return render(
            request,
            template,
            {
                "form": form,
                "page_obj": page,
                "sort": sort,
                "count": page.paginator.count,
                "count_capped": page.paginator.capped,
                "count_grouped": _grouped(page.paginator.count),
            },
        )


class DossierExportView(LoginRequiredMixin, View):
    """The filtered list as CSV or XLSX, through the same policy as the page."""

    def get(self, request, fmt):
        form, queryset, _sort = _list_queryset(request)
        if form.errors:
            problems = "\n".join(
                f"{form[name].label}: {error}" if name in form.fields else str(error)
                for name, errors in form.errors.items()
                for error in errors
            )
            message = _("Không xuất được danh sách: bộ lọc có giá trị không hợp lệ.")
            return HttpResponse(
                f"{message}\n{problems}\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        # Dossiers restricted from export leave only with a leader's approval, one by one.
        marks = queryset.aggregate(
            withheld=Count("pk", filter=Q(no_export=True)),
            level=Max("classification", filter=Q(no_export=False)),
        )
        withheld, level = marks["withheld"], marks["level"] or 0
        queryset = queryset.filter(no_export=False)
        queryset = queryset.select_related("category", "lead_agency", "counterpart")
        rows = (self._row(d) for d in queryset.iterator(chunk_size=2000))
        header = [str(label) for _key, label in EXPORT_COLUMNS]
        preamble = []
        if level > Classification.THUONG:
            preamble.append([Classification(level).label.upper()])
        if withheld:
            preamble.append(
                [_("%(n)d hồ sơ hạn chế xuất không có trong tệp này.") % {"n": withheld}]
            )
        if fmt == "xlsx":
            return self._xlsx(preamble, header, rows)
        return self._csv(preamble, header, rows)

    @staticmethod
    def _row(d):
        return [
            spreadsheet_cell(v)
            for v in (
                d.reference,
                d.title,
                d.category.name,
                d.lead_agency.short_name,
                d.counterpart.short_name if d.counterpart else "",
                d.get_classification_display(),
                d.get_status_display(),
                d.opened_on.strftime("%d/%m/%Y"),
                d.resolved_on.strftime("%d/%m/%Y") if d.resolved_on else "",
            )
        ]

    @staticmethod
    def _csv(preamble, header, rows):
        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())

        language = translation.get_language()

        def stream():
            # Rows are written after the view has returned, when the request's
            # language is no longer active: write them in it.
            with translation.override(language):
                yield "\ufeff"  # so that Excel opens the UTF-8 file with its diacritics
                for line in preamble:
                    yield writer.writerow(line)
                yield writer.writerow(header)
                for row in rows:
                    yield writer.writerow(row)

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="ho-so.csv"'
        return response

    @staticmethod
    def _xlsx(preamble, header, rows):
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(_("Hồ sơ"))
        for line in preamble:
            ws.append(line)
        ws.append(header)
        for row in rows:
            ws.append(row)
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="ho-so.xlsx"'
        wb.save(response)
        return response


def _dossier_or_404(request, pk, action=policy.VIEW, queryset=None):
    if queryset is None:
        queryset = Dossier.objects.all()
    return policy.get_or_404(queryset, request.user, action, pk=pk)


class DossierDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        dossier = _dossier_or_404(
            request,
            pk,
            queryset=Dossier.objects.select_related(
                "category", "clause__article", "crime_type", "lead_agency", "counterpart"
            ),
        )
        return render(request, "dossiers/detail.html", self._context(request, dossier))

    @staticmethod
    def _context(request, dossier, **forms):
        can_change = policy.allows(request.user, policy.CHANGE, dossier)
        allowed = services.allowed_transitions(dossier)
        ctx = {
            "dossier": dossier,
            "can_change": can_change,
            "parties": DossierParty.objects.filter(dossier=dossier).select_related("agency"),
            "tasks": Task.objects.filter(dossier=dossier).select_related("agency", "unit"),
            "messages_list": policy.restrict(Message.objects.all(), request.user)
            .filter(dossier=dossier)
            .select_related("sender", "recipient")
            .prefetch_related(Prefetch("attachments", Attachment.objects.order_by("id"))),
            "subjects": DossierSubject.objects.filter(dossier=dossier).select_related("subject"),
            "verifications": Verification.objects.filter(dossier=dossier).select_related(
                "subject", "requested_of"
            ),
            "timeline": policy.restrict(TimelineEvent.objects.all(), request.user).filter(
                dossier=dossier
            ),
            "responsibilities": dossier.clause.responsibilities.select_related("agency"),
        }
        is_leader = request.user.role == Role.LEADER
        ctx["is_leader"] = is_leader
        ctx["copy_requests"] = CopyRequest.objects.filter(dossier=dossier).select_related(
            "requested_by", "decided_by", "message"
        )
        ctx["restricted"] = (
            dossier.no_third_party or dossier.no_export or dossier.print_needs_approval
        )
        # Letters restricted on their own make copy requests meaningful too.
        has_restricted_letters = any(
            m.no_export or m.print_needs_approval for m in ctx["messages_list"]
        )
        if can_change and (ctx["restricted"] or has_restricted_letters):
            ctx["copy_request_form"] = forms.get("copy_request_form") or CopyRequestForm(
                dossier=dossier
            )
        if can_change and is_leader:
            # A leader decides the requests of their own agency's officers.
            ctx["decision_form"] = CopyDecisionForm()
            ctx["decides_for_agency"] = request.user.agency_id
            if request.user.agency_id == dossier.lead_agency_id:
                ctx["restrictions_form"] = forms.get("restrictions_form") or RestrictionsForm(
                    initial={f: getattr(dossier, f) for f in handling.RESTRICTION_FIELDS}
                )
        if can_change and not dossier.is_closed:
            ctx["transition_form"] = forms.get("transition_form") or TransitionForm(allowed=allowed)
            ctx["task_form"] = forms.get("task_form") or TaskForm(dossier=dossier)
            ctx["message_form"] = forms.get("message_form") or MessageForm(user=request.user)
        return ctx


class DossierCreateView(AllowedUsersMixin, View):
    def allowed(self, user) -> bool:
        # Oversight and administrators open no dossier: the form is not theirs to see.
        return user.does_casework

    def get(self, request):
        form = DossierForm(user=request.user)
        return render(request, "dossiers/form.html", {"form": form, "creating": True})

    def post(self, request):
        form = DossierForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                dossier = services.dossier_open(
                    actor=request.user,
                    category=data["category"],
                    title=data["title"],
                    summary=data["summary"],
                    lead_agency=data["lead_agency"],
                    supporting_agencies=data["supporting_agencies"],
                    counterpart=data["counterpart"],
                    crime_type=data["crime_type"],
                    classification=data["classification"],
                    opened_on=data["opened_on"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã mở hồ sơ %(ref)s.") % {"ref": dossier.reference})
                return redirect(dossier)
        return render(request, "dossiers/form.html", {"form": form, "creating": True}, status=400)


class DossierEditView(LoginRequiredMixin, View):
    def get(self, request, pk):
        dossier = _dossier_or_404(request, pk, policy.CHANGE)
        form = DossierEditForm(
            user=request.user,
            initial={
                "title": dossier.title,
                "summary": dossier.summary,
                "counterpart": dossier.counterpart_id,
                "crime_type": dossier.crime_type_id,
                "classification": dossier.classification,
            },
        )
        return render(request, "dossiers/form.html", {"form": form, "dossier": dossier})

    def post(self, request, pk):
        dossier = _dossier_or_404(request, pk, policy.CHANGE)
        form = DossierEditForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.dossier_update(actor=request.user, dossier=dossier, **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect(dossier)
        return render(request, "dossiers/form.html", {"form": form, "dossier": dossier}, status=400)


class _DossierActionView(LoginRequiredMixin, View):
    """POST-only actions on a dossier's detail page; errors re-render the page."""

    form_class = None
    form_name = ""

    def get_form(self, request, dossier):
        raise NotImplementedError

    def perform(self, request, dossier, data):
        raise NotImplementedError

    def post(self, request, pk):
        dossier = _dossier_or_404(request, pk, policy.CHANGE)
        form = self.get_form(request, dossier)
        if form.is_valid():
            try:
                self.perform(request, dossier, form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(dossier)
        dossier.refresh_from_db()
        ctx = DossierDetailView._context(request, dossier, **{self.form_name: form})
        return render(request, "dossiers/detail.html", ctx, status=400)


class DossierTransitionView(_DossierActionView):
    form_name = "transition_form"

    def get_form(self, request, dossier):
        return TransitionForm(request.POST, allowed=services.allowed_transitions(dossier))

    def perform(self, request, dossier, data):
        services.dossier_transition(
            actor=request.user,
            dossier=dossier,
            status=data["status"],
            outcome=data["outcome"],
            on=data["on"],
        )
        messages.success(request, _("Đã chuyển trạng thái hồ sơ."))


class TaskAddView(_DossierActionView):
    form_name = "task_form"

    def get_form(self, request, dossier):
        return TaskForm(request.POST, dossier=dossier)

    def perform(self, request, dossier, data):
        services.task_add(actor=request.user, dossier=dossier, **data)
        messages.success(request, _("Đã giao nhiệm vụ."))


class MessageAddView(_DossierActionView):
    form_name = "message_form"

    def get_form(self, request, dossier):
        return MessageForm(request.POST, request.FILES, user=request.user)

    def perform(self, request, dossier, data):
        file = data.pop("file", None)
        services.message_add(
            actor=request.user, dossier=dossier, files=[file] if file else [], **data
        )
        messages.success(request, _("Đã ghi công văn."))


class TaskCompleteView(LoginRequiredMixin, View):
    def post(self, request, pk):
        task = policy.get_or_404(
            Task.objects.select_related("dossier"), request.user, policy.CHANGE, pk=pk
        )
        try:
            services.task_complete(actor=request.user, task=task)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã ghi nhận hoàn thành nhiệm vụ."))
        return redirect(task.dossier)


class AttachmentDownloadView(LoginRequiredMixin, View):
    """A document leaves the system: restricted ones need an approval, classified ones are registered."""

    def get(self, request, pk):
        attachment = policy.get_or_404(
            Attachment.objects.select_related("message__dossier"), request.user, pk=pk
        )
        try:
            handling.copy_make(
                actor=request.user,
                dossier=attachment.message.dossier,
                kind=CopyKind.EXPORT,
                attachment=attachment,
            )
        except handling.CopyNotApproved:
            return _copy_refused(request, attachment.message.dossier, CopyKind.EXPORT)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )


def _copy_refused(request, dossier, kind):
    # The user may see the dossier, so saying why is no leak: 403, not 404.
    return render(
        request,
        "dossiers/copy_refused.html",
        {"dossier": dossier, "kind": CopyKind(kind).label},
        status=403,
    )


class DossierRestrictionsView(_DossierActionView):
    form_name = "restrictions_form"

    def get_form(self, request, dossier):
        return RestrictionsForm(request.POST)

    def perform(self, request, dossier, data):
        handling.dossier_set_restrictions(actor=request.user, dossier=dossier, **data)
        messages.success(request, _("Đã cập nhật hạn chế xử lý."))


class CopyRequestView(_DossierActionView):
    form_name = "copy_request_form"

    def get_form(self, request, dossier):
        return CopyRequestForm(request.POST, dossier=dossier)

    def perform(self, request, dossier, data):
        handling.copy_request(actor=request.user, dossier=dossier, **data)
        messages.success(request, _("Đã gửi đề nghị; chờ lãnh đạo duyệt."))


class CopyDecideView(LoginRequiredMixin, View):
    def post(self, request, pk):
        copy_request = policy.get_or_404(
            CopyRequest.objects.select_related("dossier"), request.user, pk=pk
        )
        form = CopyDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Chọn duyệt hoặc không duyệt."))
            return redirect(copy_request.dossier)
        try:
            handling.copy_decide(
                actor=request.user,
                request=copy_request,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã ghi ý kiến duyệt."))
        return redirect(copy_request.dossier)


def _print_page(request, dossier, record):
    return render(
        request,
        "dossiers/print.html",
        {
            "dossier": dossier,
            "record": record,
            "level": dossier.classification,
            "parties": DossierParty.objects.filter(dossier=dossier).select_related("agency"),
            "tasks": Task.objects.filter(dossier=dossier).select_related("agency"),
            "messages_list": policy.restrict(Message.objects.all(), request.user)
            .filter(dossier=dossier)
            .select_related("sender", "recipient"),
            "printed_at": timezone.localtime(record.made_at if record else None),
            "printed_by": request.user,
        },
    )


_PRINT_RELATED = ("category", "clause__article", "crime_type", "lead_agency", "counterpart")


class DossierPrintView(LoginRequiredMixin, View):
    """POST makes one printed copy: numbered in the register, then shown (post/redirect/get).

    Reloading the copy's page shows the same copy; only a new POST makes another.
    """

    def post(self, request, pk):
        dossier = _dossier_or_404(
            request, pk, queryset=Dossier.objects.select_related(*_PRINT_RELATED)
        )
        try:
            record = handling.copy_make(actor=request.user, dossier=dossier, kind=CopyKind.PRINT)
        except handling.CopyNotApproved:
            return _copy_refused(request, dossier, CopyKind.PRINT)
        if record is None:  # unclassified and unrestricted: nothing to register
            return _print_page(request, dossier, None)
        return redirect("dossiers:print-copy", pk=dossier.pk, number=record.number)


class PrintedCopyView(LoginRequiredMixin, View):
    """A registered printed copy, for the user who made it."""

    def get(self, request, pk, number):
        dossier = _dossier_or_404(
            request, pk, queryset=Dossier.objects.select_related(*_PRINT_RELATED)
        )
        record = CopyRecord.objects.filter(
            dossier=dossier, number=number, kind=CopyKind.PRINT, made_by=request.user
        ).first()
        if record is None:
            raise policy.NotFound
        return _print_page(request, dossier, record)


class CopyRegisterView(LoginRequiredMixin, View):
    """The register of copies of one dossier, and its print/export requests."""

    def get(self, request, pk):
        dossier = _dossier_or_404(request, pk)
        return render(
            request,
            "dossiers/copies.html",
            {
                "dossier": dossier,
                "records": CopyRecord.objects.filter(dossier=dossier).select_related(
                    "made_by", "message", "attachment", "request__decided_by"
                ),
                "copy_requests": CopyRequest.objects.filter(dossier=dossier).select_related(
                    "requested_by", "decided_by", "message"
                ),
            },
        )
