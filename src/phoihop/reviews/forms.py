import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from phoihop.core.choices import Classification
from phoihop.core.forms import DateInput
from phoihop.regulations.models import Clause, Regulation
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
    classification = forms.TypedChoiceField(
        label=_("Độ mật của báo cáo"),
        choices=Classification.choices,
        coerce=int,
        required=False,
        empty_value=Classification.THUONG,
        initial=Classification.THUONG,
        help_text=_("Báo cáo mang dấu độ mật này; chỉ người đủ tiêu chuẩn mới đọc được đợt."),
    )


class AssessmentForm(forms.Form):
    results = forms.CharField(
        label=_("Kết quả thực hiện"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    shortcomings = forms.CharField(
        label=_("Tồn tại, hạn chế"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    causes = forms.CharField(
        label=_("Nguyên nhân"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    lessons = forms.CharField(
        label=_("Bài học kinh nghiệm"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    directions = forms.CharField(
        label=_("Phương hướng, nhiệm vụ"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ProposalForm(forms.Form):
    clause = forms.ModelChoiceField(
        label=_("Khoản đề nghị sửa đổi"), queryset=Clause.objects.none()
    )
    text = forms.CharField(
        label=_("Nội dung đề xuất"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, regulation, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this regulation's clauses: another's id is "not a valid choice".
        self.fields["clause"].queryset = Clause.objects.filter(
            article__chapter__regulation=regulation
        ).select_related("article")


class ConferenceForm(forms.Form):
    held_on = forms.DateField(label=_("Ngày tổ chức"), widget=DateInput())
    place = forms.CharField(label=_("Địa điểm"), max_length=255)
    chairs = forms.CharField(
        label=_("Người chủ trì hội nghị"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Mỗi người một dòng: họ tên, chức vụ."),
    )
    participants = forms.CharField(
        label=_("Thành phần tham dự"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    conclusions = forms.CharField(
        label=_("Kết luận của hội nghị"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
