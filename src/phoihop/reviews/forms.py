import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from phoihop.core.forms import DateInput
from phoihop.regulations.models import Regulation
from phoihop.reviews.choices import ReviewKind


class StatisticsForm(forms.Form):
    regulation = forms.ModelChoiceField(
        label=_("Quy chế"),
        queryset=Regulation.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("Tất cả quy chế"),
    )
    date_from = forms.DateField(
        label=_("Từ ngày"), widget=DateInput(), initial=dt.date(2008, 12, 2)
    )
    date_to = forms.DateField(label=_("Đến ngày"), widget=DateInput(), initial=dt.date(2011, 12, 2))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data


class ReviewForm(forms.Form):
    regulation = forms.ModelChoiceField(label=_("Quy chế"), queryset=Regulation.objects.all())
    kind = forms.ChoiceField(label=_("Loại"), choices=ReviewKind.choices)
    title = forms.CharField(
        label=_("Tên đợt"),
        max_length=255,
        required=False,
        help_text=_("Để trống: hệ thống đặt tên theo quy chế và kỳ."),
    )
    date_from = forms.DateField(label=_("Từ ngày"), widget=DateInput())
    date_to = forms.DateField(label=_("Đến ngày"), widget=DateInput())
