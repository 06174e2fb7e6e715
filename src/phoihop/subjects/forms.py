from django import forms
from django.utils.translation import gettext_lazy as _

from phoihop.subjects.choices import AccessPurpose, DocumentKind, Sex, SubjectRole


class SubjectForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên (tiếng Việt)"),
        max_length=255,
        required=False,
        help_text=_("Để trống nếu chỉ có tên chữ Hán: hệ thống gợi ý âm Hán Việt."),
    )
    native_name = forms.CharField(
        label=_("Tên theo chữ gốc"), max_length=255, required=False, help_text=_("Ví dụ: 王小明")
    )
    latin_name = forms.CharField(label=_("Tên Latin trên hộ chiếu"), max_length=255, required=False)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_year = forms.IntegerField(label=_("Năm sinh"), required=False)
    birth_month = forms.IntegerField(label=_("Tháng sinh"), required=False)
    birth_day = forms.IntegerField(label=_("Ngày sinh"), required=False)
    nationality = forms.CharField(
        label=_("Quốc tịch"), max_length=2, initial="VN", help_text=_("Mã 2 chữ cái: VN, CN, LA…")
    )
    ethnicity = forms.CharField(label=_("Dân tộc"), max_length=64, required=False)
    birth_place = forms.CharField(label=_("Nơi sinh"), max_length=255, required=False)
    address = forms.CharField(label=_("Nơi cư trú"), max_length=500, required=False)
    document_kind = forms.ChoiceField(
        label=_("Loại giấy tờ"), required=False, choices=[("", "—"), *DocumentKind.choices]
    )
    document_number = forms.CharField(label=_("Số giấy tờ"), max_length=64, required=False)
    role = forms.ChoiceField(
        label=_("Tư cách trong hồ sơ"), choices=SubjectRole.choices, required=False
    )

    def __init__(self, *args, in_dossier: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if in_dossier:
            self.fields["role"].required = True
        else:
            del self.fields["role"]

    def clean(self):
        data = super().clean()
        if bool(data.get("document_kind")) != bool(data.get("document_number")):
            self.add_error("document_number", _("Cần nhập cả loại và số giấy tờ."))
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        kind, number = data.pop("document_kind", ""), data.pop("document_number", "")
        data.pop("role", None)
        data["documents"] = [{"kind": kind, "number": number}] if kind and number else []
        return data


class SubjectSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm theo tên hoặc số giấy tờ"),
        required=False,
        help_text=_("Có dấu hoặc không dấu; chữ Hán, pinyin hoặc Hán Việt."),
    )


class AccessPurposeForm(forms.Form):
    """The purpose a user must declare before a person's data is shown, exported or printed."""

    purpose = forms.ChoiceField(
        label=_("Mục đích truy cập"),
        choices=[("", "—"), *AccessPurpose.choices],
        help_text=_("Bắt buộc: mỗi lần xem, xuất hoặc in dữ liệu cá nhân đều được ghi nhật ký."),
    )
    note = forms.CharField(label=_("Ghi rõ"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("purpose") == AccessPurpose.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("Ghi rõ mục đích khi chọn «Mục đích khác»."))
        return data


class AccessLogFilterForm(forms.Form):
    subject = forms.IntegerField(
        label=_("Mã hồ sơ đối tượng"), required=False, widget=forms.HiddenInput
    )
    user = forms.ModelChoiceField(
        label=_("Người truy cập"), queryset=None, required=False, empty_label=_("Tất cả")
    )
    purpose = forms.ChoiceField(
        label=_("Mục đích"), required=False, choices=[("", _("Tất cả")), *AccessPurpose.choices]
    )

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
