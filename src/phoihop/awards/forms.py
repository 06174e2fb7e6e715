from django import forms
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.models import Agency, Unit, User
from phoihop.awards.choices import NomineeKind
from phoihop.core.forms import DateInput


class NominationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Đối tượng khen"), choices=NomineeKind.choices)
    nominee_user = forms.ModelChoiceField(
        label=_("Cá nhân"), queryset=User.objects.none(), required=False
    )
    nominee_unit = forms.ModelChoiceField(
        label=_("Tập thể"), queryset=Unit.objects.none(), required=False
    )
    awarding_agency = forms.ModelChoiceField(
        label=_("Cơ quan khen thưởng"), queryset=Agency.objects.none()
    )
    reason = forms.CharField(label=_("Thành tích"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.CharField(
        label=_("Hồ sơ minh chứng"),
        help_text=_("Số hồ sơ, cách nhau bằng dấu phẩy, ví dụ: HS-2010-000123, HS-2011-000045."),
    )

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        parties = review.regulation.parties.all()
        self.fields["nominee_user"].queryset = User.objects.filter(
            agency__in=parties, is_active=True
        ).order_by("last_name", "first_name")
        self.fields["nominee_unit"].queryset = Unit.objects.filter(agency__in=parties)
        self.fields["awarding_agency"].queryset = parties

    def clean_evidence(self):
        refs = [
            r.strip().upper() for r in self.cleaned_data["evidence"].replace(";", ",").split(",")
        ]
        return [r for r in refs if r][:200]


class CouncilForm(forms.Form):
    recommend = forms.TypedChoiceField(
        label=_("Ý kiến hội đồng"),
        choices=[("1", _("Đề nghị khen")), ("0", _("Không đề nghị"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Quyết định"),
        choices=[("1", _("Khen thưởng")), ("0", _("Không khen thưởng"))],
        coerce=lambda v: v == "1",
    )
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64, required=False)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DateInput(), required=False)
