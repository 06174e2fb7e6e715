from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors
from phoihop.core.text import fold
from phoihop.dossiers.models import Dossier
from phoihop.subjects import services
from phoihop.subjects.forms import SubjectForm, SubjectSearchForm
from phoihop.subjects.models import DossierSubject, IdentityDocument, Subject, Verification

PAGE_SIZE = 50


def search_subjects(queryset, q: str):
    for word in fold(q).split()[:8]:
        queryset = queryset.filter(search_text__contains=word)
    return queryset


class SubjectListView(LoginRequiredMixin, View):
    def get(self, request):
        form = SubjectSearchForm(request.GET or None)
        queryset = policy.restrict(Subject.objects.all(), request.user)
        if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
            queryset = search_subjects(queryset, form.cleaned_data["q"])
        page = Paginator(queryset.order_by("full_name", "id"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "subjects/list.html",
            {"form": form, "page_obj": page, "count": page.paginator.count},
        )


class SubjectDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        subject = policy.get_or_404(
            Subject.objects.select_related("owner_agency"), request.user, pk=pk
        )
        links = (
            policy.restrict(DossierSubject.objects.all(), request.user)
            .filter(subject=subject)
            .select_related("dossier__category")
        )
        return render(
            request,
            "subjects/detail.html",
            {
                "subject": subject,
                "documents": IdentityDocument.objects.filter(subject=subject),
                "links": links,
                "verifications": policy.restrict(Verification.objects.all(), request.user)
                .filter(subject=subject)
                .select_related("requested_of", "dossier"),
            },
        )


class SubjectCreateView(LoginRequiredMixin, View):
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
        form = SubjectForm(request.POST, in_dossier=dossier is not None)
        if form.is_valid():
            try:
                if dossier is not None:
                    subject = services.subject_create_in_dossier(
                        actor=request.user,
                        dossier=dossier,
                        role=form.cleaned_data["role"],
                        **form.service_kwargs(),
                    )
                else:
                    subject = services.subject_create(actor=request.user, **form.service_kwargs())
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã ghi nhận đối tượng %(n)s.") % {"n": subject.full_name}
                )
                return redirect(dossier or subject)
        return render(request, "subjects/form.html", {"form": form, "dossier": dossier}, status=400)
