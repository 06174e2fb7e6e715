"""Pages to merge a duplicate person record into another, and to undo a merge."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors
from phoihop.subjects import merge as merging
from phoihop.subjects import services
from phoihop.subjects.forms import MergeForm, SubjectSearchForm
from phoihop.subjects.models import Subject, SubjectMerge
from phoihop.subjects.views import merged_pointer, search_subjects

PICK_LIMIT = 20


def _changeable(request, pk) -> Subject:
    return policy.get_or_404(Subject.objects.all(), request.user, policy.CHANGE, pk=pk)


class SubjectMergePickView(LoginRequiredMixin, View):
    """From a person's page: find the other record of the same person."""

    def get(self, request, pk):
        subject = _changeable(request, pk)
        if subject.merged_into_id:
            return merged_pointer(request, subject)
        form = SubjectSearchForm(request.GET or None)
        found = None
        if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
            found = search_subjects(
                policy.restrict(
                    Subject.objects.filter(merged_into__isnull=True).exclude(pk=subject.pk),
                    request.user,
                    policy.CHANGE,
                ),
                form.cleaned_data["q"],
            ).order_by("full_name", "id")[:PICK_LIMIT]
        suggestions = services.subject_likely_duplicates(
            actor=request.user,
            fields={f: getattr(subject, f) for f in services.SUBJECT_FIELDS},
            documents=list(subject.documents.values_list("number", flat=True)),
            exclude=subject,
        )
        return render(
            request,
            "subjects/merge_pick.html",
            {"subject": subject, "form": form, "found": found, "suggestions": suggestions},
        )


class SubjectMergeConfirmView(LoginRequiredMixin, View):
    """What merging `other` into `pk` moves, and the merge itself (POST)."""

    def _preview(self, request, pk, other):
        keep, merge = _changeable(request, pk), _changeable(request, other)
        try:
            return merging.merge_preview(actor=request.user, keep=keep, merge=merge), None
        except ServiceError as exc:
            return {"kept": keep, "merged": merge}, exc

    def _render(self, request, preview, form, error=None, status=200):
        return render(
            request,
            "subjects/merge_confirm.html",
            {"preview": preview, "form": form, "error": error},
            status=status,
        )

    def get(self, request, pk, other):
        preview, error = self._preview(request, pk, other)
        return self._render(request, preview, MergeForm(), error, status=400 if error else 200)

    def post(self, request, pk, other):
        preview, error = self._preview(request, pk, other)
        form = MergeForm(request.POST)
        if error is None and form.is_valid():
            try:
                record = merging.subject_merge(
                    actor=request.user,
                    keep=preview["kept"],
                    merge=preview["merged"],
                    reason=form.cleaned_data["reason"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã gộp hồ sơ số %(m)d vào hồ sơ số %(k)d.")
                    % {"m": record.merged_id, "k": record.kept_id},
                )
                return redirect(record)
        return self._render(request, preview, form, error, status=400)


class SubjectMergeDetailView(LoginRequiredMixin, View):
    """One merge: what moved, who merged and why, and the button to undo it."""

    def get(self, request, pk):
        record = policy.get_or_404(
            SubjectMerge.objects.select_related("kept", "merged", "merged_by", "undone_by"),
            request.user,
            pk=pk,
        )
        moved = record.moved
        counts = {
            "links": len(moved.get("links", [])) + len(moved.get("links_removed", [])),
            "verifications": len(moved.get("verifications", [])),
            "documents": len(moved.get("documents", [])),
            "addresses": len(moved.get("addresses", [])),
        }
        before, after = moved.get("aliases", ["", ""])
        added = [a for a in merging.split_aliases(after) if a not in merging.split_aliases(before)]
        return render(
            request,
            "subjects/merge_detail.html",
            {"record": record, "counts": counts, "aliases_added": added},
        )


class SubjectMergeUndoView(LoginRequiredMixin, View):
    def post(self, request, pk):
        record = policy.get_or_404(SubjectMerge.objects.all(), request.user, policy.CHANGE, pk=pk)
        try:
            merging.subject_merge_undo(actor=request.user, merge=record)
        except ServiceError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Đã hoàn tác việc gộp: hồ sơ số %(m)d đã được khôi phục.")
                % {"m": record.merged_id},
            )
        return redirect(record)


urlpatterns = [
    path("<int:pk>/merge/", SubjectMergePickView.as_view(), name="merge"),
    path("<int:pk>/merge/<int:other>/", SubjectMergeConfirmView.as_view(), name="merge-confirm"),
    path("merges/<int:pk>/", SubjectMergeDetailView.as_view(), name="merge-detail"),
    path("merges/<int:pk>/undo/", SubjectMergeUndoView.as_view(), name="merge-undo"),
]
