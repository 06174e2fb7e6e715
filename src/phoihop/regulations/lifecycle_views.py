"""Pages of the regulation's lifecycle; their routes are included by regulations/urls.py.

New versions, amendments, hand edits of a draft and finalising belong to the
secretariat and administrators (`policy.may_edit`); amendments are proposed by casework
users of the parties; each party's head signs. Everyone signed in reads the signatures
page and the PDF. A form shown to nobody else: anyone else gets 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View

from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors
from phoihop.core.views import AllowedUsersMixin
from phoihop.regulations import lifecycle
from phoihop.regulations.choices import AmendmentStatus, RegulationStatus
from phoihop.regulations.lifecycle_forms import (
    AmendmentForm,
    ClauseEditForm,
    FinaliseForm,
    SignForm,
    VersionForm,
)
from phoihop.regulations.models import Clause, ClauseAmendment, Regulation
from phoihop.regulations.policy import may_edit
from phoihop.regulations.signing import SigningError


def _detail(regulation: Regulation, anchor: str = "") -> str:
    url = reverse("regulations:detail", args=[regulation.code])
    return f"{url}#{anchor}" if anchor else url


class _RegulationPage(AllowedUsersMixin, View):
    """A page about the version named by `code` in the URL."""

    @cached_property
    def regulation(self) -> Regulation:
        return policy.get_or_404(
            Regulation.objects.prefetch_related("parties"),
            self.request.user,
            code=self.kwargs["code"],
        )


class _EditorPage(_RegulationPage):
    def allowed(self, user) -> bool:
        return may_edit(user)


# --- versions --------------------------------------------------------------------------------


class VersionCreateView(_EditorPage):
    template = "regulations/version_form.html"

    def get(self, request, code):
        form = VersionForm(initial={"title": self.regulation.title})
        return self._render(form)

    def post(self, request, code):
        form = VersionForm(request.POST)
        if form.is_valid():
            try:
                version = lifecycle.version_create(
                    actor=request.user, regulation=self.regulation, **form.cleaned_data
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã tạo phiên bản dự thảo %(n)s, sao chép từ %(code)s.")
                    % {"n": version.version, "code": self.regulation.code},
                )
                return redirect(_detail(version))
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(
            self.request,
            self.template,
            {"regulation": self.regulation, "form": form},
            status=status,
        )


class FinaliseView(_EditorPage):
    template = "regulations/finalise.html"

    def get(self, request, code):
        form = FinaliseForm(
            initial={
                "effective_from": self.regulation.effective_from,
                "signed_place": self.regulation.place,
            }
        )
        return self._render(form)

    def post(self, request, code):
        form = FinaliseForm(request.POST)
        if form.is_valid():
            try:
                lifecycle.version_finalise(
                    actor=request.user,
                    regulation=self.regulation,
                    effective_from=form.cleaned_data["effective_from"],
                    signed_place=form.cleaned_data["signed_place"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã chốt văn bản; người đứng đầu các bên có thể ký bản PDF."),
                )
                return redirect(_detail(self.regulation))
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(
            self.request,
            self.template,
            {
                "regulation": self.regulation,
                "form": form,
                "is_draft": self.regulation.is_draft,
                "final_text": lifecycle.FINAL_TEXT,
            },
            status=status,
        )


# --- hand edits of a draft -------------------------------------------------------------------


class ClauseEditView(_EditorPage):
    template = "regulations/clause_form.html"

    @cached_property
    def clause(self) -> Clause:
        return policy.get_or_404(
            Clause.objects.select_related("article__chapter__regulation"),
            self.request.user,
            pk=self.kwargs["pk"],
            article__chapter__regulation__code=self.kwargs["code"],
        )

    def _form(self, data=None):
        responsibilities = self.clause.responsibilities.select_related("agency").order_by(
            "role", "agency__name"
        )
        return ClauseEditForm(
            data,
            responsibilities=responsibilities,
            initial={
                "article_title": self.clause.article.title,
                "text": lifecycle.clause_as_text(self.clause),
            },
        )

    def get(self, request, code, pk):
        return self._render(self._form())

    def post(self, request, code, pk):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                lifecycle.clause_edit(
                    actor=request.user,
                    clause=self.clause,
                    text=form.cleaned_data["text"],
                    article_title=form.cleaned_data["article_title"],
                    responsibilities=form.responsibility_rows(),
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu %(clause)s.") % {"clause": self.clause})
                return redirect(_detail(self.regulation, f"dieu-{self.clause.article.number}"))
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(
            self.request,
            self.template,
            {
                "regulation": self.regulation,
                "clause": self.clause,
                "form": form,
                "is_draft": self.regulation.is_draft,
                "final_text": lifecycle.FINAL_TEXT,
            },
            status=status,
        )


# --- amendments ------------------------------------------------------------------------------


class AmendmentCreateView(_RegulationPage):
    template = "regulations/amendment_form.html"

    def allowed(self, user) -> bool:
        return bool(self.origins)

    @cached_property
    def origins(self) -> list[str]:
        return lifecycle.proposal_origins(self.request.user, self.regulation)

    def _form(self, data=None):
        initial = {}
        clause_pk = self.request.GET.get("clause", "")
        if clause_pk.isdigit():
            initial["clause"] = int(clause_pk)
        return AmendmentForm(
            data, regulation=self.regulation, origins=self.origins, initial=initial
        )

    def get(self, request, code):
        return self._render(self._form())

    def post(self, request, code):
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                lifecycle.amendment_propose(
                    actor=request.user,
                    clause=data["clause"],
                    text=data["text"],
                    rationale=data["rationale"],
                    origin=data["origin"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã gửi đề xuất sửa đổi; thư ký sẽ xem xét."))
                return redirect(_detail(self.regulation, "sua-doi"))
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(
            self.request,
            self.template,
            {"regulation": self.regulation, "form": form},
            status=status,
        )


class _AmendmentAction(AllowedUsersMixin, View):
    """A decision of the secretariat on one amendment: POST only."""

    def allowed(self, user) -> bool:
        return may_edit(user)

    def amendment(self, request, pk) -> ClauseAmendment:
        return policy.get_or_404(
            ClauseAmendment.objects.select_related("clause__article__chapter__regulation"),
            request.user,
            pk=pk,
        )


class AmendmentDecideView(_AmendmentAction):
    def post(self, request, pk):
        amendment = self.amendment(request, pk)
        accept = request.POST.get("accept") == "1"
        try:
            lifecycle.amendment_decide(
                actor=request.user,
                amendment=amendment,
                accept=accept,
                note=request.POST.get("note", ""),
            )
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Đã chấp nhận đề xuất sửa đổi.")
                if accept
                else _("Đã ghi không chấp nhận đề xuất sửa đổi."),
            )
        return redirect(_detail(amendment.clause.article.chapter.regulation, "sua-doi"))


class AmendmentMergeView(_AmendmentAction):
    def post(self, request, pk):
        amendment = self.amendment(request, pk)
        back = amendment.clause.article.chapter.regulation
        version_pk = request.POST.get("version", "")
        version = (
            policy.restrict(Regulation.objects.all(), request.user, policy.CHANGE)
            .filter(pk=version_pk)
            .first()
            if version_pk.isdigit()
            else None
        )
        if version is None:
            messages.error(request, _("Cần chọn phiên bản dự thảo để đưa sửa đổi vào."))
            return redirect(_detail(back, "sua-doi"))
        try:
            lifecycle.amendment_merge(actor=request.user, amendment=amendment, version=version)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_detail(back, "sua-doi"))
        messages.success(
            request,
            _("Đã đưa sửa đổi vào %(clause)s của phiên bản %(code)s.")
            % {"clause": amendment.clause, "code": version.code},
        )
        return redirect(_detail(version, f"dieu-{amendment.clause.article.number}"))


# --- signing ---------------------------------------------------------------------------------


class SignView(_RegulationPage):
    template = "regulations/sign.html"

    def allowed(self, user) -> bool:
        return lifecycle.is_party_head(user, self.regulation)

    def get(self, request, code):
        return self._render(SignForm())

    def post(self, request, code):
        form = SignForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                signature = lifecycle.version_sign(
                    actor=request.user,
                    regulation=self.regulation,
                    pkcs12=form.cleaned_data["pkcs12"].read(),
                    password=form.cleaned_data["password"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã ký số thay mặt %(agency)s.") % {"agency": signature.agency.name},
                )
                return redirect("regulations:signatures", code=self.regulation.code)
        return self._render(form, status=400)

    def _render(self, form, status=200):
        regulation = self.regulation
        return render(
            self.request,
            self.template,
            {
                "regulation": regulation,
                "form": form,
                "pending": lifecycle.signable_agencies(self.request.user, regulation),
                "may_sign_now": regulation.status == RegulationStatus.FINAL,
                "has_pdf": bool(regulation.signed_pdf or regulation.final_pdf),
            },
            status=status,
        )


class SignaturesView(LoginRequiredMixin, View):
    """Each signature as the app verifies it now, next to what was recorded at signing."""

    def get(self, request, code):
        regulation = policy.get_or_404(
            Regulation.objects.prefetch_related("parties"), request.user, code=code
        )
        records = {
            s.field_name: s for s in regulation.signatures.select_related("agency", "signer")
        }
        error = ""
        try:
            reports = lifecycle.verify_signed(regulation)
        except SigningError as exc:
            reports, error = [], " ".join(exc.messages)
        rows = [(report, records.get(report.field_name)) for report in reports]
        found = {report.field_name for report in reports}
        signed_agencies = {s.agency_id for s in records.values()}
        return render(
            request,
            "regulations/signatures.html",
            {
                "regulation": regulation,
                "rows": rows,
                "error": error,
                "missing": [p for p in regulation.parties.all() if p.pk not in signed_agencies],
                # signatures the app recorded but no longer finds in a readable file
                "lost": [] if error else [s for name, s in records.items() if name not in found],
                "checked_at": timezone.now(),
                "has_pdf": bool(regulation.signed_pdf or regulation.final_pdf),
            },
        )


class SignedPdfView(LoginRequiredMixin, View):
    """The version's PDF as it stands, byte for byte: with every signature so far, or the
    finalised PDF before the first one."""

    def get(self, request, code):
        regulation = policy.get_or_404(Regulation.objects.all(), request.user, code=code)
        document = regulation.signed_pdf or regulation.final_pdf
        if not document:
            raise policy.NotFound
        suffix = "-da-ky" if regulation.signed_pdf else ""
        return FileResponse(
            document.open("rb"),
            content_type="application/pdf",
            filename=f"{regulation.code}{suffix}.pdf",
        )


# --- the panel on the detail page ------------------------------------------------------------


def lifecycle_panel_context(regulation: Regulation, user) -> dict:
    """What `_lifecycle_panel.html` shows about a version, for `user`: a bounded number of
    queries whatever the number of amendments."""
    editor = may_edit(user)
    amendments = list(
        ClauseAmendment.objects.filter(clause__article__chapter__regulation=regulation)
        .select_related(
            "clause__article", "unit", "proposed_by", "decided_by", "merged_into", "source_review"
        )
        .order_by("clause__article__number", "clause__number", "id")
    )
    series_draft = (
        Regulation.objects.filter(series=regulation.series, status=RegulationStatus.DRAFT)
        .order_by("-version")
        .first()
    )
    awaiting_merge = []
    if editor and regulation.is_draft:
        awaiting_merge = list(
            ClauseAmendment.objects.filter(
                clause__article__chapter__regulation__series=regulation.series,
                status=AmendmentStatus.ACCEPTED,
            )
            .exclude(clause__article__chapter__regulation=regulation)
            .select_related("clause__article__chapter__regulation", "unit", "source_review")
            .order_by("clause__article__number", "clause__number", "id")
        )
    merged_here = list(
        ClauseAmendment.objects.filter(merged_into=regulation)
        .exclude(clause__article__chapter__regulation=regulation)
        .select_related("clause__article__chapter__regulation", "unit", "source_review")
        .order_by("clause__article__number", "clause__number", "id")
    )
    signatures = list(regulation.signatures.select_related("agency", "signer"))
    return {
        "today": timezone.localdate(),
        "may_edit": editor,
        "may_edit_text": editor and regulation.is_draft,
        "may_finalise": editor and regulation.is_draft,
        "may_create_version": editor and series_draft is None,
        "series_draft": series_draft,
        "may_propose": bool(lifecycle.proposal_origins(user, regulation)),
        "signable": (
            lifecycle.signable_agencies(user, regulation)
            if regulation.status == RegulationStatus.FINAL
            else []
        ),
        "previous": regulation.previous,
        "next_versions": list(regulation.next_versions.order_by("version")),
        "superseded_by": regulation.superseded_by,
        "amendments": amendments,
        "awaiting_merge": awaiting_merge,
        "merged_here": merged_here,
        "signatures": signatures,
        "has_pdf": bool(regulation.signed_pdf or regulation.final_pdf),
    }


urlpatterns = [
    path("<slug:code>/versions/new/", VersionCreateView.as_view(), name="version-create"),
    path("<slug:code>/amendments/new/", AmendmentCreateView.as_view(), name="amendment-create"),
    path("amendments/<int:pk>/decide/", AmendmentDecideView.as_view(), name="amendment-decide"),
    path("amendments/<int:pk>/merge/", AmendmentMergeView.as_view(), name="amendment-merge"),
    path("<slug:code>/clauses/<int:pk>/edit/", ClauseEditView.as_view(), name="clause-edit"),
    path("<slug:code>/finalise/", FinaliseView.as_view(), name="finalise"),
    path("<slug:code>/sign/", SignView.as_view(), name="sign"),
    path("<slug:code>/signatures/", SignaturesView.as_view(), name="signatures"),
    path("<slug:code>/signed.pdf", SignedPdfView.as_view(), name="signed-pdf"),
]
