"""Forms of the regulation's lifecycle pages (see `lifecycle_views`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from phoihop.core.forms import DateInput
from phoihop.regulations.choices import AmendmentOrigin
from phoihop.regulations.models import Clause, Regulation

PKCS12_MAX_BYTES = 256 * 1024  # a PKCS#12 with its chain is a few kilobytes


class VersionForm(forms.Form):
    code = forms.SlugField(
        label=_("Mã phiên bản mới"),
        max_length=32,
        help_text=_("Chữ không dấu, chữ số và gạch ngang; ví dụ: QCPH-2026."),
    )
    title = forms.CharField(
        label=_("Tên quy chế"),
        max_length=500,
        required=False,
        help_text=_("Để trống: giữ tên của phiên bản đang sao chép."),
    )
    number_symbol = forms.CharField(
        label=_("Số, ký hiệu"),
        max_length=128,
        required=False,
        help_text=_("Ví dụ: 02/QCPH-CAT-SNgV. Có thể ghi sau, trước khi chốt văn bản."),
    )


class AmendmentForm(forms.Form):
    clause = forms.ModelChoiceField(
        label=_("Khoản đề nghị sửa đổi"), queryset=Clause.objects.none()
    )
    text = forms.CharField(
        label=_("Nội dung sửa đổi đề xuất"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Toàn văn khoản sau khi sửa. Nếu sửa cả các điểm, ghi mỗi điểm một dòng bắt đầu "
            "bằng «a)», «b)»…; không ghi điểm thì các điểm hiện có được giữ nguyên."
        ),
    )
    rationale = forms.CharField(
        label=_("Lý do sửa đổi"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Vướng mắc trong thực tế, căn cứ đề xuất."),
    )
    origin = forms.ChoiceField(label=_("Đề xuất với tư cách"), widget=forms.RadioSelect)

    def __init__(self, *args, regulation: Regulation, origins: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        clause_field = self.fields["clause"]
        clause_field.queryset = Clause.objects.filter(
            article__chapter__regulation=regulation
        ).select_related("article")
        clause_field.label_from_instance = lambda c: (
            _("Khoản %(c)s Điều %(a)s. %(t)s")
            % {
                "c": c.number,
                "a": c.article.number,
                "t": c.article.title,
            }
        )
        labels = dict(AmendmentOrigin.choices)
        self.fields["origin"].choices = [(o, labels[o]) for o in origins]
        if len(origins) == 1:
            self.fields["origin"].initial = origins[0]


class ClauseEditForm(forms.Form):
    article_title = forms.CharField(label=_("Tên điều"), max_length=500)
    text = forms.CharField(
        label=_("Nội dung khoản"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Các điểm của khoản, mỗi điểm một dòng bắt đầu bằng «a)», «b)»…; xóa dòng của một "
            "điểm là bỏ điểm đó."
        ),
    )

    def __init__(self, *args, responsibilities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.responsibilities = list(responsibilities)
        for r in self.responsibilities:
            who = f"{r.agency.short_name} – {r.get_role_display()}"
            self.fields[f"resp_{r.pk}_days"] = forms.IntegerField(
                label=_("%(who)s: thời hạn (ngày làm việc)") % {"who": who},
                min_value=1,
                max_value=365,
                required=False,
                initial=r.response_days,
            )
            self.fields[f"resp_{r.pk}_hours"] = forms.IntegerField(
                label=_("%(who)s: thời hạn (giờ, việc khẩn)") % {"who": who},
                min_value=1,
                max_value=720,
                required=False,
                initial=r.response_hours,
            )

    def responsibility_rows(self) -> list[dict]:
        """The clause's responsibilities with the deadlines as entered."""
        data = self.cleaned_data
        return [
            {
                "agency": r.agency,
                "role": r.role,
                "response_days": data.get(f"resp_{r.pk}_days"),
                "response_hours": data.get(f"resp_{r.pk}_hours"),
                "task_title": r.task_title,
            }
            for r in self.responsibilities
        ]


class FinaliseForm(forms.Form):
    effective_from = forms.DateField(
        label=_("Có hiệu lực từ ngày"),
        widget=DateInput(),
        help_text=_(
            "Ngày dd/mm/yyyy. Từ ngày này phiên bản thay thế phiên bản đang có hiệu lực, nếu "
            "các bên đã ký đủ."
        ),
    )
    signed_place = forms.CharField(
        label=_("Địa danh"),
        max_length=64,
        required=False,
        help_text=_("Ghi ở dòng địa danh, ngày tháng của văn bản; ví dụ: Hà Giang."),
    )


class SignForm(forms.Form):
    pkcs12 = forms.FileField(
        label=_("Tệp chứng thư số"),
        help_text=_(
            "Tệp PKCS#12 (.p12 hoặc .pfx) chứa khóa bí mật và chứng thư số của người đứng đầu "
            "cơ quan. Tệp chỉ dùng để ký, không được lưu lại."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".p12,.pfx,application/x-pkcs12"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu của tệp chứng thư số"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def clean_pkcs12(self):
        upload = self.cleaned_data["pkcs12"]
        if upload.size > PKCS12_MAX_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn để là một chứng thư số (tối đa 256 KB)."))
        return upload
