from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from phoihop.accounts.choices import Role
from phoihop.awards import services
from phoihop.awards.certificate import render_certificate
from phoihop.awards.choices import NominationStatus
from phoihop.awards.forms import CouncilForm, DecisionForm, NominationForm
from phoihop.awards.models import Nomination
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors
from phoihop.dossiers.models import Dossier
from phoihop.reviews.models import Review


class NominationCreateView(LoginRequiredMixin, View):
    def _review(self, request):
        if request.user.role not in (Role.LEADER, Role.SECRETARIAT):
            raise policy.NotFound
        return policy.get_or_404(
            Review.objects.select_related("regulation"),
            request.user,
            pk=request.GET.get("review") or request.POST.get("review"),
        )

    def get(self, request):
        review = self._review(request)
        form = NominationForm(review=review)
        return render(request, "awards/nomination_form.html", {"form": form, "review": review})

    def post(self, request):
        review = self._review(request)
        form = NominationForm(request.POST, review=review)
        if form.is_valid():
            data = form.cleaned_data
            refs = data.pop("evidence")
            found = {d.reference: d for d in Dossier.objects.filter(reference__in=refs)}
            missing = [r for r in refs if r not in found]
            if missing:
                form.add_error(
                    "evidence", _("Không tìm thấy hồ sơ: %(refs)s.") % {"refs": ", ".join(missing)}
                )
            else:
                try:
                    nomination = services.nomination_create(
                        actor=request.user, review=review, evidence=list(found.values()), **data
                    )
                except ServiceError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Đã ghi đề nghị khen thưởng."))
                    return redirect(nomination)
        return render(
            request, "awards/nomination_form.html", {"form": form, "review": review}, status=400
        )


class NominationDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        nomination = policy.get_or_404(
            Nomination.objects.select_related(
                "review", "nominee_user", "nominee_unit", "awarding_agency", "nominee_agency"
            ),
            request.user,
            pk=pk,
        )
        user = request.user
        evidence = policy.restrict(nomination.evidence.all(), user).select_related("category")
        return render(
            request,
            "awards/nomination_detail.html",
            {
                "nomination": nomination,
                "evidence": evidence,
                "hidden_evidence": nomination.evidence.count() - evidence.count(),
                "council_form": CouncilForm() if user.role == Role.SECRETARIAT else None,
                "may_consent": nomination.needs_partner_consent
                and nomination.partner_consent_at is None
                and user.role == Role.LEADER
                and user.agency_id == nomination.nominee_agency_id,
                "decision_form": DecisionForm()
                if user.role == Role.LEADER and user.agency_id == nomination.awarding_agency_id
                else None,
            },
        )


class _NominationActionView(LoginRequiredMixin, View):
    form_class = None

    def post(self, request, pk):
        nomination = policy.get_or_404(Nomination.objects.all(), request.user, pk=pk)
        form = self.form_class(request.POST) if self.form_class else None
        if form is not None and not form.is_valid():
            messages.error(request, _("Thông tin chưa hợp lệ."))
            return redirect(nomination)
        try:
            self.perform(request, nomination, form.cleaned_data if form else {})
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã ghi."))
        return redirect(nomination)


class NominationCouncilView(_NominationActionView):
    form_class = CouncilForm

    def perform(self, request, nomination, data):
        services.nomination_council(actor=request.user, nomination=nomination, **data)


class NominationConsentView(_NominationActionView):
    def perform(self, request, nomination, data):
        services.nomination_consent(actor=request.user, nomination=nomination)


class NominationDecideView(_NominationActionView):
    form_class = DecisionForm

    def perform(self, request, nomination, data):
        services.nomination_decide(actor=request.user, nomination=nomination, **data)


class CertificateView(LoginRequiredMixin, View):
    """The certificate of an approved nomination, for those who may read the nomination."""

    def get(self, request, pk):
        nomination = policy.get_or_404(
            Nomination.objects.select_related(
                "awarding_agency", "nominee_agency", "nominee_user", "nominee_unit"
            ),
            request.user,
            pk=pk,
            status=NominationStatus.APPROVED,
        )
        response = HttpResponse(render_certificate(nomination), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="giay-khen-{nomination.pk}.pdf"'
        return response
