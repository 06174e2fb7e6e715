"""Pages of a person import: upload, column mapping, dry-run report with warnings, commit, progress.

The services are in subjects.imports; an import is seen only by the officer who uploaded it.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors
from phoihop.core.views import AllowedUsersMixin
from phoihop.subjects import imports, tabular, views
from phoihop.subjects.choices import ImportLevel, ImportResolution, ImportStatus
from phoihop.subjects.models import ImportJob

PROBLEMS_PER_PAGE = 100


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp danh sách (.xlsx hoặc .csv UTF-8)"),
        help_text=gettext_lazy(
            "Dòng đầu là tên cột. Theo mẫu: ho_ten, ten_goc, ten_latinh, gioi_tinh, ngay_sinh "
            "(yyyy, mm/yyyy hoặc dd/mm/yyyy), quoc_tich (mã ISO: VN, CN…), dan_toc, so_giay_to. "
            "Tệp có tên cột khác sẽ qua bước ghép cột."
        ),
    )


class ImportMappingForm(forms.Form):
    """One choice per template column: which of the file's columns holds it."""

    def __init__(self, *args, headers, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— không có —"))] + [
            (str(i), h or tabular._excel_column(i)) for i, h in enumerate(headers)
        ]
        for column in tabular.TEMPLATE_COLUMNS:
            self.fields[column] = forms.ChoiceField(
                label=tabular.column_label(column),
                choices=choices,
                required=False,
                initial=str(initial_mapping[column]) if column in initial_mapping else "",
                help_text=column,
            )

    def mapping(self) -> dict[str, int]:
        return {c: int(v) for c, v in self.cleaned_data.items() if v not in ("", None)}


class _JobMixin(AllowedUsersMixin):
    def allowed(self, user) -> bool:
        return user.does_casework

    def job(self, request, pk) -> ImportJob:
        return policy.get_or_404(
            ImportJob.objects.select_related("agency"), request.user, policy.VIEW, pk=pk
        )


class ImportUploadView(_JobMixin, View):
    def get(self, request):
        return self._page(request, ImportUploadForm())

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = imports.import_upload(actor=request.user, file=upload, filename=upload.name)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                if not job.mapping:
                    return redirect("subjects:import-map", pk=job.pk)
                return redirect(job)
        return self._page(request, form, status=400)

    def _page(self, request, form, status=200):
        recent = policy.restrict(ImportJob.objects.all(), request.user).order_by("-created_at")[:20]
        return render(
            request, "subjects/import_upload.html", {"form": form, "recent": recent}, status=status
        )


class ImportTemplateView(_JobMixin, View):
    """An empty file in the template columns, to fill in."""

    def get(self, request):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="mau-nhap-doi-tuong.csv"'
        response.write("\ufeff" + ",".join(tabular.TEMPLATE_COLUMNS) + "\r\n")
        return response


class ImportMappingView(_JobMixin, View):
    def get(self, request, pk):
        job = self.job(request, pk)
        initial = job.mapping or tabular.guess_mapping(job.headers)
        form = ImportMappingForm(headers=job.headers, initial_mapping=initial)
        return render(request, "subjects/import_map.html", {"job": job, "form": form})

    def post(self, request, pk):
        job = self.job(request, pk)
        form = ImportMappingForm(request.POST, headers=job.headers, initial_mapping={})
        if form.is_valid():
            try:
                job = imports.import_map(actor=request.user, job=job, mapping=form.mapping())
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(job)
        return render(request, "subjects/import_map.html", {"job": job, "form": form}, status=400)


class ImportDetailView(_JobMixin, View):
    """The dry-run report: each row with a problem and its reason; the warnings to resolve."""

    def get(self, request, pk, status=200, error=None):
        job = self.job(request, pk)
        if job.status == ImportStatus.UPLOADED:
            return redirect("subjects:import-map", pk=job.pk)
        problems = job.problems.order_by("level", "row", "id")
        only = request.GET.get("level")
        if only in ImportLevel.values:
            problems = problems.filter(level=only)
        page = Paginator(problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
        ids = {sid for p in page.object_list for sid in p.candidates}
        candidates = {
            s.pk: s
            for s in imports._visible_subjects(request.user)
            .filter(pk__in=ids)
            .prefetch_related("documents")
        }
        for problem in page.object_list:
            problem.people = [candidates[s] for s in problem.candidates if s in candidates]
        pending = job.problems.filter(
            level=ImportLevel.WARNING, resolution=ImportResolution.PENDING
        ).count()
        return render(
            request,
            "subjects/import_detail.html",
            {
                "job": job,
                "page_obj": page,
                "level": only or "",
                "pending": pending,
                "progress": imports.read_progress(job),
                "error": error,
                "can_commit": job.status == ImportStatus.CHECKED and not job.error_count,
            },
            status=status,
        )


class ImportResolveView(_JobMixin, View):
    def post(self, request, pk):
        job = self.job(request, pk)
        try:
            if request.POST.get("all") == "accept":
                imports.import_accept_pending(actor=request.user, job=job)
            else:
                choice = request.POST.get("choice", "")
                resolution, _sep, target = choice.partition(":")
                kwargs = {}
                if resolution == "subject":
                    resolution, kwargs["subject_id"] = ImportResolution.LINK, _int(target)
                elif resolution == "row":
                    resolution, kwargs["row"] = ImportResolution.LINK, _int(target)
                imports.import_resolve(
                    actor=request.user,
                    job=job,
                    problem_id=_int(request.POST.get("problem")),
                    resolution=resolution,
                    **kwargs,
                )
        except ServiceError as exc:
            return ImportDetailView().get(
                request, pk, status=400, error=imports.service_message(exc)
            )
        return redirect(f"{job.get_absolute_url()}?{request.GET.urlencode()}")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ImportCommitView(_JobMixin, View):
    def post(self, request, pk):
        job = self.job(request, pk)
        try:
            imports.import_commit(actor=request.user, job=job)
        except ServiceError as exc:
            return ImportDetailView().get(
                request, pk, status=400, error=imports.service_message(exc)
            )
        messages.success(
            request,
            _("Đã đưa vào hàng đợi: trang này cho thấy tiến độ, có thể rời đi và quay lại."),
        )
        return redirect(job)


class ImportProgressView(_JobMixin, View):
    """The progress bar, polled by htmx while the commit waits or runs."""

    def get(self, request, pk):
        job = self.job(request, pk)
        response = render(
            request,
            "subjects/import_progress.html",
            {"job": job, "progress": imports.read_progress(job)},
        )
        if request.htmx and job.status in (ImportStatus.DONE, ImportStatus.FAILED):
            response["HX-Refresh"] = "true"
        return response


urlpatterns = [
    path("imports/", ImportUploadView.as_view(), name="import-upload"),
    path("imports/template.csv", ImportTemplateView.as_view(), name="import-template"),
    path("imports/<int:pk>/", ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/map/", ImportMappingView.as_view(), name="import-map"),
    path("imports/<int:pk>/resolve/", ImportResolveView.as_view(), name="import-resolve"),
    path("imports/<int:pk>/commit/", ImportCommitView.as_view(), name="import-commit"),
    path("imports/<int:pk>/progress/", ImportProgressView.as_view(), name="import-progress"),
    path("export.xlsx", views.SubjectExportView.as_view(), {"fmt": "xlsx"}, name="export-xlsx"),
]
