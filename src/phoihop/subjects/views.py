import csv
import time
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from phoihop.accounts.choices import Role
from phoihop.accounts.models import User
from phoihop.audit.views import history_context
from phoihop.core import policy
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors
from phoihop.core.text import fold, spreadsheet_cell
from phoihop.core.views import AllowedUsersMixin
from phoihop.dossiers.models import Dossier
from phoihop.subjects import services, tabular
from phoihop.subjects.choices import AccessKind, AccessPurpose
from phoihop.subjects.forms import (
    AccessLogFilterForm,
    AccessPurposeForm,
    DuplicateConfirmForm,
    SubjectForm,
    SubjectSearchForm,
)
from phoihop.subjects.models import (
    DossierSubject,
    IdentityDocument,
    Subject,
    SubjectAccess,
    SubjectMerge,
    Verification,
)
from phoihop.subjects.names import SURNAME_HAN_VIET, han_viet_of, has_han, pinyin_of

PAGE_SIZE = 50


def search_subjects(queryset, q: str):
    for word in fold(q).split()[:8]:
        queryset = queryset.filter(search_text__contains=word)
    return queryset


class SubjectListView(LoginRequiredMixin, View):
    def get(self, request):
        form = SubjectSearchForm(request.GET or None)
        queryset = policy.restrict(Subject.objects.filter(merged_into__isnull=True), request.user)
        if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
            queryset = search_subjects(queryset, form.cleaned_data["q"])
        page = Paginator(queryset.order_by("full_name", "id"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "subjects/list.html",
            {
                "form": form,
                "page_obj": page,
                "count": page.paginator.count,
                "export_form": AccessPurposeForm(),
            },
        )


# A declared purpose covers one person for this long, then it is asked again.
PURPOSE_SECONDS = 30 * 60
_PURPOSES_KEY = "phoihop.subject_purposes"
EXPORT_LIMIT = 5000


def _declared_purpose(request, pk: int) -> tuple[str, str] | None:
    entry = request.session.get(_PURPOSES_KEY, {}).get(str(pk))
    if entry and time.time() - entry[2] < PURPOSE_SECONDS:
        return entry[0], entry[1]
    return None


def _declare_purpose(request, pk: int, purpose: str, note: str) -> None:
    now = time.time()
    purposes = {
        k: v
        for k, v in request.session.get(_PURPOSES_KEY, {}).items()
        if now - v[2] < PURPOSE_SECONDS
    }
    purposes[str(pk)] = [purpose, note, now]
    request.session[_PURPOSES_KEY] = purposes


def _highest_classification(request, subject) -> int:
    """The level mark of a person's file: the highest of the dossiers it is seen in."""
    level = (
        policy.restrict(DossierSubject.objects.all(), request.user)
        .filter(subject=subject)
        .aggregate(level=Max("dossier__classification"))["level"]
    )
    return level or Classification.THUONG


class SubjectDetailView(LoginRequiredMixin, View):
    """A person's file, shown only after the reader declares why (each opening is logged)."""

    kind = AccessKind.VIEW
    template_name = "subjects/detail.html"
    shows_merged_pointer = True

    def _subject(self, request, pk):
        return policy.get_or_404(
            Subject.objects.select_related("owner_agency"), request.user, pk=pk
        )

    def get(self, request, pk):
        subject = self._subject(request, pk)
        if subject.merged_into_id and self.shows_merged_pointer:
            return merged_pointer(request, subject)
        declared = _declared_purpose(request, subject.pk)
        if declared is None:
            return self._ask_purpose(request, subject, AccessPurposeForm())
        services.subject_access_record(
            actor=request.user,
            subjects=[subject],
            kind=self.kind,
            purpose=declared[0],
            note=declared[1],
        )
        return render(request, self.template_name, self.get_context(request, subject))

    def post(self, request, pk):
        subject = self._subject(request, pk)
        form = AccessPurposeForm(request.POST)
        if not form.is_valid():
            return self._ask_purpose(request, subject, form, status=400)
        _declare_purpose(
            request, subject.pk, form.cleaned_data["purpose"], form.cleaned_data["note"]
        )
        return redirect(request.path)

    def _ask_purpose(self, request, subject, form, status=200):
        # The page names no personal data: only the record number. "Hủy" goes back where the
        # reader came from (carried through a failed submission), if that is this site.
        back = request.POST.get("next") or request.GET.get("next") or request.headers.get("referer")
        if not (
            back
            and url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            and urlsplit(back).path != request.path
        ):
            back = reverse("subjects:list")
        return render(
            request,
            "subjects/purpose.html",
            {"form": form, "subject_pk": subject.pk, "kind": self.kind, "back": back},
            status=status,
        )

    @staticmethod
    def _declared_label(request, subject):
        declared = _declared_purpose(request, subject.pk)
        if declared is None:
            return None
        return AccessPurpose(declared[0]).label, declared[1]

    def get_context(self, request, subject):
        links = (
            policy.restrict(DossierSubject.objects.all(), request.user)
            .filter(subject=subject)
            .select_related("dossier__category")
        )
        return {
            "subject": subject,
            "documents": IdentityDocument.objects.filter(subject=subject),
            "links": links,
            "verifications": policy.restrict(Verification.objects.all(), request.user)
            .filter(subject=subject)
            .select_related("requested_of", "dossier"),
            "level": _highest_classification(request, subject),
            "declared": self._declared_label(request, subject),
            "is_leader": request.user.role == Role.LEADER,
            "addresses": subject.addresses.all(),
            # Records merged into this one, and their merge (to undo it), as far as visible.
            "merges": policy.restrict(SubjectMerge.objects.all(), request.user)
            .filter(kept=subject, undone_at__isnull=True)
            .select_related("merged")
            .order_by("merged_at", "pk"),
        }


class SubjectHistoryView(SubjectDetailView):
    """A person's history holds personal data: the same purpose gate, logged as a view."""

    template_name = "audit/history.html"
    shows_merged_pointer = False  # a merged record's own history stays readable

    def get_context(self, request, subject):
        return history_context(request, subject)


class SubjectPrintView(SubjectDetailView):
    """The printable file of one person, with its level mark; logged as a print."""

    kind = AccessKind.PRINT
    template_name = "subjects/print.html"

    def get_context(self, request, subject):
        return {
            **super().get_context(request, subject),
            "printed_at": timezone.localtime(),
            "printed_by": request.user,
        }


class SubjectExportView(LoginRequiredMixin, View):
    """The searched list of persons as CSV or XLSX in the import template's columns
    (tabular.TEMPLATE_COLUMNS: the file imports back), with a declared purpose logged
    per person."""

    fmt = "csv"

    def post(self, request, fmt: str | None = None):
        fmt = fmt or self.fmt
        form = AccessPurposeForm(request.POST)
        search = SubjectSearchForm(request.POST)
        queryset = policy.restrict(Subject.objects.all(), request.user)
        if search.is_valid() and search.cleaned_data["q"]:
            queryset = search_subjects(queryset, search.cleaned_data["q"])
        count = queryset.count()
        if not form.is_valid() or count > EXPORT_LIMIT:
            if form.is_valid():
                form.add_error(
                    None,
                    _("Kết quả có %(n)d người, vượt giới hạn xuất %(max)d: thu hẹp tìm kiếm.")
                    % {"n": count, "max": EXPORT_LIMIT},
                )
            page = Paginator(queryset.order_by("full_name", "id"), PAGE_SIZE).get_page(1)
            return render(
                request,
                "subjects/list.html",
                {"form": search, "export_form": form, "page_obj": page, "count": count},
                status=400,
            )
        subjects = list(queryset.order_by("full_name", "id"))
        services.subject_access_record(
            actor=request.user,
            subjects=subjects,
            kind=AccessKind.EXPORT,
            purpose=form.cleaned_data["purpose"],
            note=form.cleaned_data["note"],
        )
        numbers: dict[int, list[str]] = {}
        for sid, number in (
            IdentityDocument.objects.filter(subject_id__in=[s.pk for s in subjects])
            .order_by("subject_id", "kind", "id")
            .values_list("subject_id", "number")
        ):
            numbers.setdefault(sid, []).append(number)
        rows = (tabular.export_row(s, numbers.get(s.pk, [])) for s in subjects)
        if fmt == "xlsx":
            return _xlsx_response(rows)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="doi-tuong.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(tabular.TEMPLATE_COLUMNS)
        for row in rows:
            writer.writerow(spreadsheet_cell(v) for v in row)
        return response


def _xlsx_response(rows) -> HttpResponse:
    import io

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Đối tượng"))[:31])
    sheet.append(list(tabular.TEMPLATE_COLUMNS))
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            # Text, never a formula, whatever it starts with.
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="doi-tuong.xlsx"'
    return response


class SubjectAccessLogView(LoginRequiredMixin, View):
    """The read log for leaders: per person they may see, per user of their agency."""

    def get(self, request):
        if request.user.role != Role.LEADER:
            raise policy.NotFound
        users = policy.restrict(User.objects.all(), request.user).filter(
            agency_id=request.user.agency_id
        )
        form = AccessLogFilterForm(request.GET or None, users=users)
        valid = form.is_valid() if form.is_bound else True
        data = form.cleaned_data if form.is_bound else {}
        subject = None
        if data.get("subject") is not None:
            # A person the leader may not see is as if it did not exist, whatever else is wrong.
            subject = policy.get_or_404(Subject.objects.all(), request.user, pk=data["subject"])
        if not valid:
            # Not a number, or a user outside the leader's agency: the error on its field.
            return render(
                request,
                "subjects/access_log.html",
                {"form": form, "page_obj": None, "subject": subject, "shown": set()},
                status=400,
            )
        log = policy.restrict(SubjectAccess.objects.all(), request.user).select_related(
            "user", "subject"
        )
        if subject is not None:
            log = log.filter(subject=subject)
        if data.get("user"):
            log = log.filter(user=data["user"])
        if data.get("purpose"):
            log = log.filter(purpose=data["purpose"])
        page = Paginator(log.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
        shown = set(
            policy.restrict(
                Subject.objects.filter(pk__in={a.subject_id for a in page.object_list}),
                request.user,
            ).values_list("pk", flat=True)
        )
        return render(
            request,
            "subjects/access_log.html",
            {"form": form, "page_obj": page, "subject": subject, "shown": shown},
        )


def merged_pointer(request, subject):
    """The page of a record merged into another: no personal data, a link to the kept one."""
    merge = (
        policy.restrict(SubjectMerge.objects.all(), request.user)
        .filter(merged=subject, undone_at__isnull=True)
        .order_by("-merged_at", "-pk")
        .first()
    )
    return render(
        request,
        "subjects/merge_moved.html",
        {"subject_pk": subject.pk, "kept_pk": subject.merged_into_id, "merge": merge},
    )


class SubjectCreateView(AllowedUsersMixin, View):
    """Register a person; likely duplicates are shown before anything is saved."""

    def allowed(self, user) -> bool:
        return user.does_casework

    def _dossier(self, request):
        pk = request.GET.get("dossier") or request.POST.get("dossier")
        if not pk:
            return None
        return policy.get_or_404(Dossier.objects.all(), request.user, policy.CHANGE, pk=pk)

    def get(self, request):
        dossier = self._dossier(request)
        form = SubjectForm(in_dossier=dossier is not None)
        return render(request, "subjects/form.html", {"form": form, "dossier": dossier})

    def post(self, request):
        dossier = self._dossier(request)
        form = SubjectForm(request.POST, request.FILES, in_dossier=dossier is not None)
        if form.is_valid():
            kwargs = {
                "actor": request.user,
                "check_duplicates": True,
                "distinct_from": DuplicateConfirmForm(request.POST).ids(),
                **form.service_kwargs(),
            }
            try:
                if dossier is not None:
                    subject = services.subject_create_in_dossier(
                        dossier=dossier, role=form.cleaned_data["role"], **kwargs
                    )
                else:
                    subject = services.subject_create(**kwargs)
            except services.LikelyDuplicates as exc:
                context = {"form": form, "dossier": dossier, "candidates": exc.candidates}
                return render(request, "subjects/form.html", context)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã ghi nhận đối tượng %(n)s.") % {"n": subject.full_name}
                )
                return redirect(dossier or subject)
        return render(request, "subjects/form.html", {"form": form, "dossier": dossier}, status=400)


class SubjectEditView(SubjectDetailView):
    """Edit a person's record: the form shows personal data, so the purpose gate applies."""

    template_name = "subjects/form.html"

    def _subject(self, request, pk):
        return policy.get_or_404(Subject.objects.all(), request.user, policy.CHANGE, pk=pk)

    def get_context(self, request, subject, form=None):
        return {
            "form": form or SubjectForm(subject=subject, initial=_initial(subject)),
            "subject": subject,
            "dossier": None,
        }

    def post(self, request, pk):
        if "purpose" in request.POST:
            return super().post(request, pk)
        subject = self._subject(request, pk)
        if subject.merged_into_id:
            return merged_pointer(request, subject)
        if _declared_purpose(request, subject.pk) is None:
            return self._ask_purpose(request, subject, AccessPurposeForm(), status=400)
        form = SubjectForm(request.POST, request.FILES, subject=subject)
        if form.is_valid():
            try:
                services.subject_update(
                    actor=request.user, subject=subject, **form.service_kwargs()
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã cập nhật hồ sơ đối tượng."))
                return redirect(subject)
        return render(
            request, self.template_name, self.get_context(request, subject, form), status=400
        )


def _initial(subject) -> dict:
    return {
        name: getattr(subject, name)
        for name in (
            "full_name",
            "native_name",
            "han_viet",
            "pinyin",
            "readings_confirmed",
            "latin_name",
            "aliases",
            "sex",
            "birth_year",
            "birth_month",
            "birth_day",
            "nationality",
            "ethnicity",
            "birth_place",
        )
    }


class SubjectReadingsView(AllowedUsersMixin, View):
    """The suggested Hán-Việt reading and pinyin of a name in Hán tự (an htmx fragment)."""

    def allowed(self, user) -> bool:
        return user.does_casework

    def get(self, request):
        native = " ".join((request.GET.get("native_name") or "").split())[:255]
        context = {"native": native, "han": has_han(native)}
        if context["han"]:
            compact = "".join(native.split())
            context.update(
                han_viet=han_viet_of(native),
                pinyin=pinyin_of(native),
                special=next(
                    (
                        (ch, reading)
                        for ch, reading in SURNAME_HAN_VIET.items()
                        if compact.startswith(ch)
                    ),
                    None,
                ),
            )
        return render(request, "subjects/_readings.html", context)


class SubjectPhotoView(LoginRequiredMixin, View):
    """A person's photo, to whoever may see the person and has declared why (403 before)."""

    def get(self, request, pk):
        subject = policy.get_or_404(Subject.objects.all(), request.user, pk=pk)
        if not subject.photo:
            raise policy.NotFound
        if _declared_purpose(request, subject.pk) is None:
            raise PermissionDenied
        response = FileResponse(
            subject.photo.open("rb"), content_type=subject.photo_content_type or "image/jpeg"
        )
        response["Cache-Control"] = "private, no-store"
        response["Content-Disposition"] = "inline"
        return response
