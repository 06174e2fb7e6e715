"""Importing a regulation from its .docx (or plain text), assigning responsibilities per
clause, and exporting a version as DOCX or PDF.

The upload is kept between the preview and the confirmation in the session, as base64
with a size limit, never in the page: sessions are server-side rows (Django's database
backend), so the bytes are as private as the session, shared by every app server behind
the proxy (a temporary file would live on one of them only), and gone with the session
when it ends. The confirmation re-parses those bytes, and carries the random token of
the upload it was shown for, so a preview left open while another file was uploaded in
another tab cannot save the other file.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from phoihop.accounts.choices import AgencyKind
from phoihop.accounts.models import Agency
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors
from phoihop.core.text import fold, roman
from phoihop.core.views import AllowedUsersMixin
from phoihop.regulations.choices import ResponsibilityRole
from phoihop.regulations.importer import ImportFailed, suggest_responsibilities
from phoihop.regulations.imports import (
    MAX_RESPONSE_DAYS,
    MAX_RESPONSE_HOURS,
    clause_label,
    parse_upload,
    regulation_document,
    regulation_import,
    responsibilities_save,
    tree_counts,
    tree_errors,
)
from phoihop.regulations.models import Clause, Regulation, Responsibility
from phoihop.regulations.policy import may_edit
from phoihop.regulations.tree import RegulationTree

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # a regulation's .docx is tens of kilobytes
SESSION_KEY = "regulations.import"
PASTED_NAME = "van-ban-dan.txt"


def _size_label(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size // 1024 + 1} KB"


def _domestic_agencies():
    return Agency.objects.filter(kind=AgencyKind.DOMESTIC, successor__isnull=True)


# --- the upload kept between preview and confirmation --------------------------------------


@dataclass
class _Pending:
    token: str
    name: str
    pasted: bool
    data: bytes

    def tree(self) -> RegulationTree:
        return parse_upload(self.data, PASTED_NAME if self.pasted else self.name)


def _keep(request, data: bytes, name: str, *, pasted: bool) -> None:
    request.session[SESSION_KEY] = {
        "token": secrets.token_urlsafe(16),
        "name": name,
        "pasted": pasted,
        "data": base64.b64encode(data).decode("ascii"),
    }


def _pending(request) -> _Pending | None:
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict):
        return None
    try:
        data = base64.b64decode(kept["data"], validate=True)
        return _Pending(kept["token"], kept["name"], bool(kept["pasted"]), data)
    except (KeyError, TypeError, ValueError):
        return None


def _forget(request) -> None:
    request.session.pop(SESSION_KEY, None)


# --- forms -----------------------------------------------------------------------------------


class RegulationUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp quy chế"),
        required=False,
        help_text=gettext_lazy(
            "Tệp Word (.docx) như cơ quan đang lưu, hoặc tệp văn bản (.txt, UTF-8); tối đa 2 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".docx,.txt,application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document,text/plain"
            }
        ),
    )
    text = forms.CharField(
        label=gettext_lazy("Hoặc dán nội dung quy chế"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy(
            "Mỗi đoạn một dòng: “Chương I”, “Điều 1. Tên điều”, khoản “1.”, điểm “a)”."
        ),
    )

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), data.get("text") or ""
        if upload and text:
            raise forms.ValidationError(_("Chỉ chọn một cách: tải tệp lên hoặc dán nội dung."))
        if not upload and not text and "file" not in self.errors:
            self.add_error("file", _("Chọn tệp .docx của quy chế hoặc dán nội dung vào ô dưới."))
        elif upload and upload.size > MAX_UPLOAD_BYTES:
            self.add_error(
                "file",
                _("Tệp quá lớn (%(size)s); một quy chế không quá %(max)s.")
                % {"size": _size_label(upload.size), "max": _size_label(MAX_UPLOAD_BYTES)},
            )
        elif len(text.encode("utf-8")) > MAX_UPLOAD_BYTES:
            self.add_error(
                "text",
                _("Nội dung quá dài; một quy chế không quá %(max)s.")
                % {"max": _size_label(MAX_UPLOAD_BYTES)},
            )
        return data


class RegulationImportForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    code = forms.SlugField(
        label=gettext_lazy("Mã quy chế"),
        max_length=32,
        help_text=gettext_lazy(
            "Chữ không dấu, số và dấu gạch ngang, ví dụ QCPH-2026; dùng trong địa chỉ trang, không phân biệt chữ hoa, chữ thường."
        ),
    )
    title = forms.CharField(
        label=gettext_lazy("Tên quy chế"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Lấy từ văn bản; sửa nếu chưa đúng."),
    )
    parties = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Các bên"),
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Các cơ quan trong nước cùng ban hành quy chế."),
    )
    number_symbol = forms.CharField(
        label=gettext_lazy("Số, ký hiệu"),
        max_length=128,
        required=False,
        help_text=gettext_lazy(
            "Ví dụ 02/QCPH-CAT-SNgV; mỗi bên ghi số này theo ký hiệu văn bản của mình "
            "(02/QCPH-CAT, 02/QCPH-SNgV). Để trống khi chưa ban hành."
        ),
    )
    place = forms.CharField(
        label=gettext_lazy("Địa danh"),
        max_length=64,
        required=False,
        help_text=gettext_lazy("Nơi ban hành, ví dụ Hà Giang."),
    )
    previous = forms.ModelChoiceField(
        label=gettext_lazy("Là phiên bản mới của"),
        queryset=Regulation.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("— quy chế mới, không thay thế quy chế nào —"),
        help_text=gettext_lazy("Chọn khi văn bản này sửa đổi, thay thế một quy chế đã có."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = _domestic_agencies()
        self.fields["previous"].queryset = policy.restrict(
            Regulation.objects.order_by("series", "-version"), user
        )


# --- upload and preview ----------------------------------------------------------------------


class _EditorOnly(AllowedUsersMixin):
    """Pages for those who draft regulations (the secretariat, administrators); 404 for others."""

    def allowed(self, user) -> bool:
        return may_edit(user)


class RegulationUploadView(_EditorOnly, View):
    template_name = "regulations/import_upload.html"

    def get(self, request):
        return render(request, self.template_name, {"form": RegulationUploadForm()})

    def post(self, request):
        form = RegulationUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload:
                data, name, pasted, target = upload.read(), upload.name, False, "file"
            else:
                data = form.cleaned_data["text"].encode("utf-8")
                name, pasted, target = PASTED_NAME, True, "text"
            try:
                parse_upload(data, PASTED_NAME if pasted else name)
            except ImportFailed as exc:
                form.add_error(target, exc.message)
            else:
                _keep(request, data, name, pasted=pasted)
                return redirect("regulations:import-preview")
        return render(request, self.template_name, {"form": form}, status=400)


@dataclass
class _ArticleView:
    node: object
    clauses: int
    points: int


@dataclass
class _Block:
    kind: str  # "section" | "article"
    section: object = None
    article: _ArticleView | None = None


@dataclass
class _ChapterView:
    node: object
    roman: str
    blocks: list[_Block] = field(default_factory=list)


def _outline(tree: RegulationTree) -> list[_ChapterView]:
    """Chapters with their sections placed before the first article in each."""
    out = []
    for chapter in tree.chapters:
        view = _ChapterView(chapter, roman(chapter.number))
        sections = {s.number: s for s in chapter.sections}
        shown: set[int] = set()

        def show_through(number, chapter_view=view, sections=sections, shown=shown):
            for n, s in sections.items():
                if n not in shown:
                    shown.add(n)
                    chapter_view.blocks.append(_Block("section", section=s))
                if n == number:
                    return

        for article in chapter.articles:
            if article.section is not None and article.section not in shown:
                show_through(article.section)
            view.blocks.append(
                _Block(
                    "article",
                    article=_ArticleView(
                        article, len(article.clauses), sum(len(c.points) for c in article.clauses)
                    ),
                )
            )
        show_through(None)
        out.append(view)
    return out


def _guess_parties(tree: RegulationTree, user) -> list[int]:
    """The domestic agencies the title names (a suggestion for the form), else the user's."""
    title = f" {fold(tree.title)} "
    found = [
        agency.pk
        for agency in _domestic_agencies()
        if any(
            f" {fold(name)} " in title
            for name in (agency.name, agency.short_name)
            if fold(name) and len(fold(name)) > 3
        )
    ]
    return found or ([user.agency_id] if getattr(user, "agency_id", None) else [])


class RegulationImportPreviewView(_EditorOnly, View):
    template_name = "regulations/import_preview.html"

    def _tree_or_restart(self, request, pending):
        try:
            return pending.tree()
        except ImportFailed as exc:
            _forget(request)
            messages.error(request, exc.message)
            return None

    def _render(self, request, pending, tree, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "pending": pending,
                "tree": tree,
                "outline": _outline(tree),
                "counts": tree_counts(tree),
                "problems": tree_errors(tree),
                "form": form,
            },
            status=status,
        )

    def get(self, request):
        pending = _pending(request)
        if pending is None:
            messages.info(request, _("Chưa có tệp nào đang chờ xem trước; hãy tải quy chế lên."))
            return redirect("regulations:import")
        tree = self._tree_or_restart(request, pending)
        if tree is None:
            return redirect("regulations:import")
        form = RegulationImportForm(
            user=request.user,
            initial={
                "token": pending.token,
                "title": tree.title,
                "parties": _guess_parties(tree, request.user),
            },
        )
        return self._render(request, pending, tree, form)

    def post(self, request):
        pending = _pending(request)
        if pending is None:
            messages.error(
                request,
                _("Bản tải lên không còn (phiên làm việc đã hết hoặc đã lưu); hãy tải lên lại."),
            )
            return redirect("regulations:import")
        tree = self._tree_or_restart(request, pending)
        if tree is None:
            return redirect("regulations:import")
        form = RegulationImportForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            if not secrets.compare_digest(data["token"], pending.token):
                form.add_error(
                    None,
                    _(
                        "Trang xem trước này đã cũ: một tệp khác đã được tải lên sau đó. "
                        "Hãy kiểm tra lại bản xem trước bên dưới rồi lưu."
                    ),
                )
                form.data = form.data.copy()
                form.data["token"] = pending.token
            else:
                try:
                    regulation = regulation_import(
                        actor=request.user,
                        tree=tree,
                        code=data["code"],
                        title=data["title"],
                        parties=list(data["parties"]),
                        number_symbol=data["number_symbol"],
                        place=data["place"],
                        previous=data["previous"],
                    )
                except ServiceError as exc:
                    add_service_errors(form, exc)
                else:
                    _forget(request)
                    messages.success(
                        request,
                        _(
                            "Đã lưu quy chế %(code)s thành bản dự thảo. Hãy xác nhận trách nhiệm "
                            "của từng khoản."
                        )
                        % {"code": regulation.code},
                    )
                    return redirect("regulations:responsibilities", code=regulation.code)
        return self._render(request, pending, tree, form, status=400)


# --- responsibilities per clause ---------------------------------------------------------------

SAVED, SUGGESTED, NEW = "saved", "suggested", "new"


class ResponsibilityRowForm(forms.Form):
    origin = forms.ChoiceField(
        choices=[(SAVED, SAVED), (SUGGESTED, SUGGESTED), (NEW, NEW)], widget=forms.HiddenInput
    )
    agency = forms.TypedChoiceField(label=gettext_lazy("Cơ quan"), coerce=int, required=False)
    role = forms.ChoiceField(label=gettext_lazy("Vai trò"), choices=ResponsibilityRole.choices)
    response_days = forms.IntegerField(
        label=gettext_lazy("Thời hạn (ngày làm việc)"),
        required=False,
        widget=forms.NumberInput(
            attrs={"min": 1, "max": MAX_RESPONSE_DAYS, "inputmode": "numeric"}
        ),
    )
    response_hours = forms.IntegerField(
        label=gettext_lazy("Thời hạn việc khẩn (giờ)"),
        required=False,
        widget=forms.NumberInput(
            attrs={"min": 1, "max": MAX_RESPONSE_HOURS, "inputmode": "numeric"}
        ),
    )
    task_title = forms.CharField(label=gettext_lazy("Nhiệm vụ"), max_length=255, required=False)
    drop = forms.BooleanField(label=gettext_lazy("Bỏ dòng này"), required=False)

    def __init__(self, *args, agency_choices, clause_name, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("— chọn cơ quan —")), *agency_choices]
        for bound in self.visible_fields():
            bound.field.widget.attrs["aria-label"] = f"{bound.label} – {clause_name}"

    def is_blank(self) -> bool:
        """A row the user left empty (or cleared): it saves nothing and is no error."""
        return not any(
            (self.data.get(self.add_prefix(name)) or "").strip()
            for name in ("agency", "response_days", "response_hours", "task_title")
        )


@dataclass
class _Row:
    form: ResponsibilityRowForm
    origin: str
    evidence: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The id of the row's first field, for the error summary's links."""
        return self.form["agency"].id_for_label


@dataclass
class _ClauseGroup:
    clause: Clause
    label: str
    rows: list[_Row] = field(default_factory=list)


_ROW_KEY = re.compile(r"^c(\d+)-(\d+)-origin$")


class ResponsibilitiesView(_EditorOnly, View):
    template_name = "regulations/responsibilities.html"

    def _regulation(self, request, code):
        return policy.get_or_404(Regulation.objects.all(), request.user, policy.CHANGE, code=code)

    def _clauses(self, regulation):
        return list(
            Clause.objects.filter(article__chapter__regulation=regulation)
            .select_related("article")
            .prefetch_related(
                Prefetch(
                    "responsibilities",
                    Responsibility.objects.select_related("agency").order_by(
                        "role", "agency__name"
                    ),
                )
            )
            .order_by("article__number", "number")
        )

    def _form(self, clause, index, choices, *, data=None, initial=None):
        return ResponsibilityRowForm(
            data,
            initial=initial,
            prefix=f"c{clause.pk}-{index}",
            agency_choices=choices,
            clause_name=clause_label(clause),
        )

    def _unbound_groups(self, clauses, agencies):
        choices = [(a.pk, a.short_name or a.name) for a in agencies]
        groups = []
        for clause in clauses:
            group = _ClauseGroup(clause, clause_label(clause))
            saved = list(clause.responsibilities.all())
            if saved:
                rows = [
                    (
                        SAVED,
                        "",
                        {
                            "agency": r.agency_id,
                            "role": r.role,
                            "response_days": r.response_days,
                            "response_hours": r.response_hours,
                            "task_title": r.task_title,
                        },
                    )
                    for r in saved
                ]
            else:
                rows = [
                    (
                        SUGGESTED,
                        s.evidence,
                        {
                            "agency": s.agency.pk,
                            "role": s.role,
                            "response_days": s.response_days,
                            "response_hours": s.response_hours,
                        },
                    )
                    for s in suggest_responsibilities(clause.text, agencies)
                ]
            for index, (origin, evidence, initial) in enumerate(rows):
                form = self._form(clause, index, choices, initial={"origin": origin, **initial})
                group.rows.append(_Row(form, origin, evidence))
            groups.append(group)
        return groups

    def _bound_groups(self, request, clauses, agencies):
        choices = [(a.pk, a.short_name or a.name) for a in agencies]
        indices: dict[int, list[int]] = {}
        for key in request.POST:
            if match := _ROW_KEY.match(key):
                indices.setdefault(int(match[1]), []).append(int(match[2]))
        evidence = {}
        groups = []
        for clause in clauses:
            group = _ClauseGroup(clause, clause_label(clause))
            for index in sorted(indices.get(clause.pk, ())):
                form = self._form(clause, index, choices, data=request.POST)
                origin = request.POST.get(f"{form.prefix}-origin")
                origin = origin if origin in {SAVED, SUGGESTED, NEW} else NEW
                row = _Row(form, origin)
                if origin == SUGGESTED:
                    if clause.pk not in evidence:
                        evidence[clause.pk] = {
                            (s.agency.pk, s.role): s.evidence
                            for s in suggest_responsibilities(clause.text, agencies)
                        }
                    agency = request.POST.get(f"{form.prefix}-agency")
                    role = request.POST.get(f"{form.prefix}-role")
                    row.evidence = evidence[clause.pk].get(
                        (int(agency) if (agency or "").isdigit() else None, role), ""
                    )
                group.rows.append(row)
            groups.append(group)
        return groups, choices

    def _render(self, request, regulation, groups, errors=(), status=200):
        return render(
            request,
            self.template_name,
            {
                "regulation": regulation,
                "groups": groups,
                "page_errors": list(errors),
                "row_errors": [
                    (group, row, message)
                    for group in groups
                    for row in group.rows
                    for message in row.errors
                ],
                "editable": regulation.is_draft,
            },
            status=status,
        )

    def get(self, request, code):
        regulation = self._regulation(request, code)
        agencies = list(_domestic_agencies())
        groups = self._unbound_groups(self._clauses(regulation), agencies)
        return self._render(request, regulation, groups)

    def post(self, request, code):
        regulation = self._regulation(request, code)
        agencies = list(_domestic_agencies())
        clauses = self._clauses(regulation)
        groups, choices = self._bound_groups(request, clauses, agencies)
        add = request.POST.get("add", "")
        if add.isdigit():
            # "Thêm dòng": the page again with one more empty row; nothing is saved.
            for group in groups:
                if group.clause.pk == int(add):
                    index = max(
                        (int(r.form.prefix.rsplit("-", 1)[1]) for r in group.rows), default=-1
                    )
                    form = self._form(group.clause, index + 1, choices, initial={"origin": NEW})
                    group.rows.append(_Row(form, NEW))
            return self._render(request, regulation, groups)

        by_id = {a.pk: a for a in agencies}
        rows, owners = [], []
        for group in groups:
            for row in group.rows:
                form = row.form
                if not form.is_valid():
                    for name, messages_ in form.errors.items():
                        label = form.fields[name].label if name in form.fields else ""
                        row.errors.extend(
                            f"{group.label} – {label}: {m}" if label else f"{group.label}: {m}"
                            for m in messages_
                        )
                    continue
                data = form.cleaned_data
                if data["drop"] or form.is_blank():
                    continue
                rows.append(
                    {
                        "clause": group.clause,
                        "agency": by_id.get(data["agency"]) if data["agency"] else None,
                        "role": data["role"],
                        "response_days": data["response_days"],
                        "response_hours": data["response_hours"],
                        "task_title": data["task_title"],
                    }
                )
                owners.append(row)
        if any(row.errors for group in groups for row in group.rows):
            return self._render(request, regulation, groups, status=400)
        try:
            responsibilities_save(
                actor=request.user, regulation=regulation, rows=rows, clauses=clauses
            )
        except ServiceError as exc:
            page_errors = []
            for key, messages_ in exc.message_dict.items():
                if key.startswith("rows.") and key[5:].isdigit() and int(key[5:]) < len(owners):
                    owners[int(key[5:])].errors.extend(messages_)
                else:
                    page_errors.extend(messages_)
            return self._render(request, regulation, groups, page_errors, status=400)
        messages.success(
            request,
            _("Đã lưu trách nhiệm của các khoản trong quy chế %(code)s.")
            % {"code": regulation.code},
        )
        return redirect("regulations:detail", code=regulation.code)


# --- export ------------------------------------------------------------------------------------


class RegulationExportView(LoginRequiredMixin, View):
    """The version's text as DOCX or PDF for anyone who may read it; with ?signed=1, the
    PDF exactly as the parties signed it."""

    fmt = "docx"

    def get(self, request, code):
        regulation = policy.get_or_404(Regulation.objects.all(), request.user, code=code)
        if self.fmt == "pdf" and request.GET.get("signed") == "1":
            return self._signed(regulation)
        content, content_type, filename = regulation_document(regulation, self.fmt)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @staticmethod
    def _signed(regulation):
        if not regulation.signed_pdf:
            raise Http404
        with regulation.signed_pdf.open("rb") as handle:
            content = handle.read()
        response = HttpResponse(content, content_type="application/pdf")
        filename = f"quy-che-{regulation.code}-v{regulation.version}-da-ky.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


urlpatterns = [
    path("import/", RegulationUploadView.as_view(), name="import"),
    path("import/preview/", RegulationImportPreviewView.as_view(), name="import-preview"),
    path(
        "<slug:code>/responsibilities/",
        ResponsibilitiesView.as_view(),
        name="responsibilities",
    ),
    path("<slug:code>/export.docx", RegulationExportView.as_view(fmt="docx"), name="export-docx"),
    path("<slug:code>/export.pdf", RegulationExportView.as_view(fmt="pdf"), name="export-pdf"),
]
