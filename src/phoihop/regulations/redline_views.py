"""The redline between two versions of a regulation: the page and its DOCX annex.

Both compare the version in the URL with another version of the same series (`?against=`
its code; by default the version it was made from, `Regulation.previous`), the older of
the two as the old text whatever the order they are named in. Every signed-in user reads
regulations; a version of another series, or one the user may not read, answers 404.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from phoihop.core import policy
from phoihop.regulations.models import Regulation
from phoihop.regulations.redline import AnnexMeta, redline_between, render_redline_docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class RedlineForm(forms.Form):
    against = forms.ModelChoiceField(
        label=gettext_lazy("So sánh với phiên bản"),
        help_text=gettext_lazy("Các phiên bản khác của cùng bộ quy chế."),
        queryset=Regulation.objects.none(),
        to_field_name="code",
        empty_label=None,
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["against"].queryset = versions
        self.fields["against"].label_from_instance = version_label


def version_label(regulation: Regulation) -> str:
    """ "Phiên bản 2 – 02/QCPH-CAT-SNgV (Đang có hiệu lực)"."""
    label = _("Phiên bản %(n)s") % {"n": regulation.version}
    if regulation.number_symbol:
        label += f" – {regulation.number_symbol}"
    return f"{label} ({regulation.state_label})"


def _document_label(regulation: Regulation) -> str:
    """ "Quy chế số 01/QCPH-CAT-SNgV ngày 02/12/2008", or by version when it has no number."""
    if regulation.number_symbol:
        label = _("Quy chế số %(n)s") % {"n": regulation.number_symbol}
    else:
        label = _("phiên bản %(n)s (mã %(code)s)") % {
            "n": regulation.version,
            "code": regulation.code,
        }
    if regulation.signed_on:
        label += " " + _("ngày %(d)s") % {"d": regulation.signed_on.strftime("%d/%m/%Y")}
    return label


def _versions(request, code: str):
    """The version in the URL, the other versions of its series the user may read, and the
    one to compare it with (None when there is none to compare with)."""
    regulation = policy.get_or_404(Regulation.objects.all(), request.user, code=code)
    others = policy.restrict(
        Regulation.objects.filter(series=regulation.series).exclude(pk=regulation.pk),
        request.user,
    ).order_by("-version")
    wanted = request.GET.get("against", "")
    if wanted:
        other = others.filter(code=wanted).first()
        if other is None:
            raise policy.NotFound
    else:
        other = _default_against(regulation, others)
    return regulation, others, other


def _default_against(regulation: Regulation, others):
    """The version it was made from; failing that (a first version, or one whose previous
    is of another series), the latest earlier version of the series."""
    if regulation.previous_id:
        previous = others.filter(pk=regulation.previous_id).first()
        if previous is not None:
            return previous
    return others.filter(version__lt=regulation.version).first()


def _ordered(a: Regulation, b: Regulation) -> tuple[Regulation, Regulation]:
    return (a, b) if a.version <= b.version else (b, a)


class RedlineView(LoginRequiredMixin, View):
    def get(self, request, code):
        regulation, others, other = _versions(request, code)
        context = {
            "regulation": regulation,
            "form": RedlineForm(
                initial={"against": other.code if other else None}, versions=others
            ),
            "has_versions": others.exists(),
        }
        if other is not None:
            old, new = _ordered(other, regulation)
            diff = redline_between(old, new)
            context.update(
                other=other,
                old=old,
                new=new,
                diff=diff,
                counts=diff.counts,
                old_label=version_label(old),
                new_label=version_label(new),
            )
        return render(request, "regulations/redline.html", context)


class RedlineDocxView(LoginRequiredMixin, View):
    def get(self, request, code):
        regulation, _others, other = _versions(request, code)
        if other is None:
            raise policy.NotFound  # nothing to compare with
        old, new = _ordered(other, regulation)
        with translation.override("vi"):
            meta = AnnexMeta(
                title=new.title, old_label=_document_label(old), new_label=_document_label(new)
            )
            content = render_redline_docx(redline_between(old, new), meta)
        response = HttpResponse(content, content_type=DOCX)
        filename = f"so-sanh-{old.code}-{new.code}.docx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


urlpatterns: list = [
    path("<slug:code>/redline/", RedlineView.as_view(), name="redline"),
    path("<slug:code>/redline.docx", RedlineDocxView.as_view(), name="redline-docx"),
]
