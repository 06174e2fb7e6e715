from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from phoihop.accounts.choices import AGGREGATE_ROLES, CASEWORK_ROLES, Role
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors
from phoihop.core.views import AllowedUsersMixin
from phoihop.regulations.choices import CategoryKind
from phoihop.regulations.models import Regulation
from phoihop.reviews import annex, report, services
from phoihop.reviews.charts import bar_chart_svg
from phoihop.reviews.charts import category_totals as _category_totals
from phoihop.reviews.choices import HEADLINE_LABELS, ReviewStatus
from phoihop.reviews.forms import (
    AssessmentForm,
    ConferenceForm,
    ProposalForm,
    ReviewForm,
    StatisticsForm,
)
from phoihop.reviews.models import AmendmentProposal, Assessment, Conference, Review
from phoihop.reviews.statistics import compute_statistics
from phoihop.subjects.forms import AccessPurposeForm


def _form(request):
    data = request.GET.copy()
    form = StatisticsForm(data if data else None)
    if not data:
        form = StatisticsForm(
            {
                "regulation": "",
                "date_from": StatisticsForm.base_fields["date_from"].initial.strftime("%d/%m/%Y"),
                "date_to": StatisticsForm.base_fields["date_to"].initial.strftime("%d/%m/%Y"),
            }
        )
    form.fields["regulation"].queryset = policy.restrict(Regulation.objects.all(), request.user)
    return form


def _stats(request, form):
    data = form.cleaned_data
    return compute_statistics(
        actor=request.user,
        date_from=data["date_from"],
        date_to=data["date_to"],
        regulation=data["regulation"],
    )


class StatisticsView(LoginRequiredMixin, View):
    def get(self, request):
        form = _form(request)
        ctx = {"form": form}
        status = 200
        if form.is_valid():
            stats = _stats(request, form)
            ctx.update(
                stats=stats,
                category_totals=_category_totals(stats),
                chart_query=request.GET.urlencode(),
                kinds=dict(CategoryKind.choices),
                # Leaders, the secretariat and oversight count every dossier of the
                # regulation; everyone else only the dossiers they may see.
                whole=request.user.role in AGGREGATE_ROLES,
            )
        else:
            status = 400
        return render(request, "reviews/statistics.html", ctx, status=status)


class StatisticsChartView(LoginRequiredMixin, View):
    """The resolved dossiers by category as SVG, drawn from the same statistics."""

    def get(self, request):
        form = _form(request)
        if not form.is_valid():
            return HttpResponse(status=400)
        return _chart_response(_category_totals(_stats(request, form)))


def _chart_response(totals) -> HttpResponse:
    svg = bar_chart_svg(
        [name for name, _n in totals],
        [n for _name, n in totals],
        _("Hồ sơ đã giải quyết theo lĩnh vực"),
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    # An SVG image draws its text with inline style; it runs no script.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


class ReviewChartView(LoginRequiredMixin, View):
    """The review's frozen figures as the same chart as the statistics page."""

    def get(self, request, pk):
        review = policy.get_or_404(Review.objects.all(), request.user, pk=pk)
        return _chart_response(_category_totals(review.statistics))


class ReviewReportView(LoginRequiredMixin, View):
    """The review's report (Decree 30/2020 layout) as DOCX or PDF, for its readers."""

    fmt = "pdf"

    def get(self, request, pk):
        review = policy.get_or_404(Review.objects.select_related("regulation"), request.user, pk=pk)
        content, content_type, filename = report.render(review, self.fmt)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ReviewListView(LoginRequiredMixin, View):
    def get(self, request):
        reviews = policy.restrict(Review.objects.all(), request.user).select_related("regulation")
        # A unit's members reach the open reviews their unit owes an assessment to.
        owed = []
        if request.user.role in CASEWORK_ROLES and request.user.unit_id:
            owed = Review.objects.filter(
                status=ReviewStatus.OPEN, regulation__parties=request.user.agency_id
            ).select_related("regulation")
        return render(
            request,
            "reviews/review_list.html",
            {"reviews": reviews, "owed": owed, "may_manage": services.may_manage(request.user)},
        )


class ReviewCreateView(AllowedUsersMixin, View):
    def allowed(self, user) -> bool:
        return services.may_manage(user)

    def get(self, request):
        return render(request, "reviews/review_form.html", {"form": ReviewForm()})

    def post(self, request):
        form = ReviewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review = services.review_open(
                    actor=request.user,
                    regulation=data["regulation"],
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    kind=data["kind"],
                    title=data["title"],
                    classification=data["classification"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã mở đợt và chốt số liệu."))
                return redirect(review)
        return render(request, "reviews/review_form.html", {"form": form}, status=400)


class ReviewDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        review = policy.get_or_404(
            Review.objects.select_related("regulation", "computed_by"), request.user, pk=pk
        )
        return render(request, "reviews/review_detail.html", _detail_context(request, review))


ANNEX_PREFIX = "annex"


class PersonsAnnexForm(AccessPurposeForm):
    """The purpose declared for the persons' annex (the persons' rules), and its format."""

    format = forms.ChoiceField(
        label=gettext_lazy("Định dạng tệp"),
        choices=[("docx", gettext_lazy("Word (DOCX)")), ("pdf", gettext_lazy("PDF"))],
        initial="docx",
    )


def _detail_context(request, review, annex_form=None) -> dict:
    previous = services.previous_review(review)
    stats = review.statistics
    may_annex = annex.may_view_persons(request.user)
    return {
        "review": review,
        "stats": stats,
        "previous": previous,
        "comparison": services.comparison(review, previous),
        "labels": HEADLINE_LABELS,
        "category_totals": _category_totals(stats),
        "kinds": dict(CategoryKind.choices),
        "empty": not stats.get("dossiers_opened") and not stats.get("dossiers_resolved"),
        "may_manage": services.may_manage(request.user) and not review.is_closed,
        "units": _unit_rows(review),
        "conference": Conference.objects.filter(review=review).first(),
        "conference_form": _conference_form(review),
        "nominations": _nominations(request, review),
        "proposals": AmendmentProposal.objects.filter(assessment__review=review)
        .select_related("clause__article", "assessment__unit")
        .order_by("clause__article__number", "clause__number", "id"),
        "may_nominate": request.user.role in (Role.LEADER, Role.SECRETARIAT)
        and not review.is_closed,
        # The restricted annex naming persons: for readers who may see some person.
        "may_annex": may_annex,
        "annex_form": (annex_form or PersonsAnnexForm(prefix=ANNEX_PREFIX)) if may_annex else None,
    }


class ReviewPersonsAnnexView(AllowedUsersMixin, View):
    """The report's restricted annex naming the persons verified in the period, as a file.

    Only for readers of the review who may see at least one person (everyone else: 404);
    the declared purpose is logged for every listed person with the file's production.
    """

    def allowed(self, user) -> bool:
        return policy.restrict(
            Review.objects.filter(pk=self.kwargs["pk"]), user
        ).exists() and annex.may_view_persons(user)

    def get(self, request, pk):
        """The file is produced on a POST with a purpose; the form is on the review page."""
        return redirect(reverse("reviews:detail", args=[pk]) + "#phu-luc-han-che")

    def post(self, request, pk):
        review = policy.get_or_404(
            Review.objects.select_related("regulation", "computed_by"), request.user, pk=pk
        )
        form = PersonsAnnexForm(request.POST, prefix=ANNEX_PREFIX)
        if form.is_valid():
            data = form.cleaned_data
            try:
                content, content_type, filename = annex.persons_annex_export(
                    actor=request.user,
                    review=review,
                    fmt=data["format"],
                    purpose=data["purpose"],
                    note=data["note"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                response = HttpResponse(content, content_type=content_type)
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                response["Cache-Control"] = "no-store"
                return response
        return render(
            request,
            "reviews/review_detail.html",
            _detail_context(request, review, annex_form=form),
            status=400,
        )


def _nominations(request, review):
    from phoihop.awards.models import Nomination

    return policy.restrict(Nomination.objects.filter(review=review), request.user).select_related(
        "nominee_user", "nominee_unit", "awarding_agency"
    )


def _unit_rows(review):
    """Each unit that owes an assessment, with where it stands."""
    assessments = {a.unit_id: a for a in Assessment.objects.filter(review=review)}
    return [(unit, assessments.get(unit.pk)) for unit in services.expected_units(review)]


def _conference_form(review, data=None):
    conference = Conference.objects.filter(review=review).first()
    initial = (
        {name: getattr(conference, name) for name in services.CONFERENCE_FIELDS}
        if conference
        else {}
    )
    return ConferenceForm(data, initial=initial)


class AssessmentView(LoginRequiredMixin, View):
    """A unit's assessment: its members write it; the secretariat, leaders and oversight read it."""

    def _load(self, request, pk, unit_pk):
        review = services.review_for_unit_member(request.user, pk)
        unit = services.expected_units(review).filter(pk=unit_pk).first()
        if unit is None:
            raise policy.NotFound
        may_write = (
            not review.is_closed
            and request.user.role in CASEWORK_ROLES
            and request.user.unit_id == unit.pk
        )
        if not may_write and not request.user.reads_whole_figures:
            raise policy.NotFound
        assessment = Assessment.objects.filter(review=review, unit=unit).first()
        return review, unit, assessment, may_write

    def _render(
        self,
        request,
        review,
        unit,
        assessment,
        may_write,
        form=None,
        proposal_form=None,
        status=200,
    ):
        initial = (
            {f: getattr(assessment, f) for f in services.ASSESSMENT_FIELDS} if assessment else {}
        )
        return render(
            request,
            "reviews/assessment.html",
            {
                "review": review,
                "unit": unit,
                "assessment": assessment,
                "may_write": may_write,
                "form": form or AssessmentForm(initial=initial),
                "proposal_form": proposal_form or ProposalForm(regulation=review.regulation),
                "proposals": assessment.proposals.select_related("clause__article")
                if assessment
                else [],
            },
            status=status,
        )

    def get(self, request, pk, unit_pk):
        return self._render(request, *self._load(request, pk, unit_pk))

    def post(self, request, pk, unit_pk):
        review, unit, assessment, may_write = self._load(request, pk, unit_pk)
        if not may_write:
            raise policy.NotFound
        if "clause" in request.POST:
            return self._add_proposal(request, review, unit, assessment)
        form = AssessmentForm(request.POST)
        if form.is_valid():
            try:
                services.assessment_save(
                    actor=request.user,
                    review=review,
                    unit=unit,
                    submit="submit" in request.POST,
                    **form.cleaned_data,
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu báo cáo của đơn vị."))
                return redirect("reviews:assessment", pk=review.pk, unit_pk=unit.pk)
        return self._render(request, review, unit, assessment, may_write, form=form, status=400)

    def _add_proposal(self, request, review, unit, assessment):
        form = ProposalForm(request.POST, regulation=review.regulation)
        if form.is_valid():
            try:
                if assessment is None:
                    assessment = services.assessment_save(
                        actor=request.user, review=review, unit=unit
                    )
                services.proposal_add(
                    actor=request.user, assessment=assessment, **form.cleaned_data
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã ghi đề xuất sửa đổi."))
                return redirect("reviews:assessment", pk=review.pk, unit_pk=unit.pk)
        return self._render(request, review, unit, assessment, True, proposal_form=form, status=400)


class AssessmentRemindView(LoginRequiredMixin, View):
    def post(self, request, pk, unit_pk):
        review = policy.get_or_404(Review.objects.all(), request.user, policy.CHANGE, pk=pk)
        unit = services.expected_units(review).filter(pk=unit_pk).first()
        if unit is None:
            raise policy.NotFound
        try:
            services.assessment_remind(actor=request.user, review=review, unit=unit)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã nhắc %(unit)s.") % {"unit": unit})
        return redirect(review)


class ConferenceView(LoginRequiredMixin, View):
    def post(self, request, pk):
        review = policy.get_or_404(Review.objects.all(), request.user, policy.CHANGE, pk=pk)
        form = _conference_form(review, request.POST)
        if form.is_valid():
            try:
                services.conference_save(actor=request.user, review=review, **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã ghi thông tin hội nghị."))
                return redirect(review)
        messages.error(
            request,
            _("Thông tin hội nghị chưa hợp lệ: %(e)s")
            % {
                "e": "; ".join(
                    f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
                    for k, v in form.errors.items()
                )
            },
        )
        return redirect(review)


class _ReviewActionView(LoginRequiredMixin, View):
    def post(self, request, pk):
        review = policy.get_or_404(Review.objects.all(), request.user, policy.CHANGE, pk=pk)
        try:
            self.perform(request, review)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(review)


class ReviewRecomputeView(_ReviewActionView):
    def perform(self, request, review):
        services.review_recompute(actor=request.user, review=review)
        messages.success(request, _("Đã tính lại số liệu từ dữ liệu hiện tại."))


class ReviewCloseView(_ReviewActionView):
    def perform(self, request, review):
        services.review_close(actor=request.user, review=review)
        messages.success(request, _("Đã kết thúc đợt; số liệu không còn thay đổi."))


class ProposalDecideView(LoginRequiredMixin, View):
    """The secretariat accepts (a draft amendment of the clause follows) or rejects a proposal."""

    def post(self, request, pk):
        proposal = policy.get_or_404(
            AmendmentProposal.objects.select_related("assessment__review"),
            request.user,
            policy.VIEW,
            pk=pk,
        )
        try:
            services.proposal_decide(
                actor=request.user, proposal=proposal, accept=request.POST.get("accept") == "1"
            )
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã ghi ý kiến về đề xuất."))
        return redirect(proposal.assessment.review)
