from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.choices import AgencyKind
from phoihop.accounts.models import Agency, Unit
from phoihop.core.choices import Classification
from phoihop.core.forms import DateInput
from phoihop.dossiers.choices import CopyKind, DossierStatus, MessageDirection
from phoihop.dossiers.models import Message
from phoihop.regulations.models import Category, CrimeType, Regulation


def _classification_choices(user):
    return [(v, label) for v, label in Classification.choices if v <= user.clearance]


class DossierForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Lĩnh vực phối hợp"),
        queryset=Category.objects.none(),
        help_text=_("Lĩnh vực xác định khoản của quy chế, cơ quan chủ trì và thời hạn."),
    )
    title = forms.CharField(label=_("Tên hồ sơ"), max_length=255)
    summary = forms.CharField(
        label=_("Tóm tắt"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    lead_agency = forms.ModelChoiceField(label=_("Cơ quan chủ trì"), queryset=Agency.objects.none())
    supporting_agencies = forms.ModelMultipleChoiceField(
        label=_("Cơ quan phối hợp"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    counterpart = forms.ModelChoiceField(
        label=_("Đối tác nước ngoài"), queryset=Agency.objects.none(), required=False
    )
    crime_type = forms.ModelChoiceField(
        label=_("Tội danh"),
        queryset=CrimeType.objects.all(),
        required=False,
        help_text=_("Chỉ với hồ sơ vụ án hình sự."),
    )
    classification = forms.TypedChoiceField(label=_("Độ mật"), coerce=int)
    opened_on = forms.DateField(
        label=_("Ngày mở"),
        widget=DateInput(),
        help_text=_("Định dạng ngày/tháng/năm, ví dụ 02/12/2011."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        domestic = Agency.objects.filter(kind=AgencyKind.DOMESTIC)
        # The categories of the versions in force today; a dossier opened on another day
        # follows the version in force on that day (dossier_open maps it by code).
        self.fields["category"].queryset = Category.objects.filter(
            regulation__in=Regulation.objects.in_force(timezone.localdate())
        ).select_related("regulation")
        self.fields["lead_agency"].queryset = domestic
        self.fields["supporting_agencies"].queryset = domestic
        self.fields["counterpart"].queryset = Agency.objects.filter(kind=AgencyKind.FOREIGN)
        self.fields["classification"].choices = _classification_choices(user)
        self.fields["lead_agency"].initial = user.agency_id


class DossierEditForm(forms.Form):
    title = forms.CharField(label=_("Tên hồ sơ"), max_length=255)
    summary = forms.CharField(
        label=_("Tóm tắt"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    counterpart = forms.ModelChoiceField(
        label=_("Đối tác nước ngoài"), queryset=Agency.objects.none(), required=False
    )
    crime_type = forms.ModelChoiceField(
        label=_("Tội danh"), queryset=CrimeType.objects.all(), required=False
    )
    classification = forms.TypedChoiceField(label=_("Độ mật"), coerce=int)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].queryset = Agency.objects.filter(kind=AgencyKind.FOREIGN)
        self.fields["classification"].choices = _classification_choices(user)


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("Chuyển sang"), choices=DossierStatus.choices)
    outcome = forms.CharField(
        label=_("Kết quả"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi kết thúc hồ sơ."),
    )
    on = forms.DateField(
        label=_("Ngày"), required=False, widget=DateInput(), help_text=_("Để trống: hôm nay.")
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, DossierStatus(s).label) for s in allowed]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Nhiệm vụ"), max_length=255)
    agency = forms.ModelChoiceField(label=_("Cơ quan"), queryset=Agency.objects.none())
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none(), required=False)
    due_on = forms.DateField(label=_("Hạn"), required=False, widget=DateInput())

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(dossier_parties__dossier=dossier)
        self.fields["agency"].queryset = agencies
        self.fields["unit"].queryset = Unit.objects.filter(agency__in=agencies)


class MessageForm(forms.Form):
    direction = forms.ChoiceField(label=_("Chiều"), choices=MessageDirection.choices)
    number_symbol = forms.CharField(
        label=_("Số, ký hiệu"), max_length=64, help_text=_("Ví dụ: 125/CAT-PV11")
    )
    sent_on = forms.DateField(label=_("Ngày văn bản"), widget=DateInput())
    sender = forms.ModelChoiceField(label=_("Nơi gửi"), queryset=Agency.objects.all())
    recipient = forms.ModelChoiceField(label=_("Nơi nhận"), queryset=Agency.objects.all())
    summary = forms.CharField(label=_("Trích yếu"), widget=forms.Textarea(attrs={"rows": 3}))
    classification = forms.TypedChoiceField(label=_("Độ mật"), coerce=int)
    file = forms.FileField(
        label=_("Tệp đính kèm"),
        required=False,
        help_text=_("PDF, DOCX, XLSX, JPEG hoặc PNG; tối đa 20 MB."),
    )
    no_third_party = forms.BooleanField(label=_("Không sao gửi cho bên thứ ba"), required=False)
    no_export = forms.BooleanField(
        label=_("Không tải, xuất khi chưa được lãnh đạo duyệt"), required=False
    )
    print_needs_approval = forms.BooleanField(
        label=_("In phải được lãnh đạo duyệt"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classification"].choices = _classification_choices(user)


class DossierFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        help_text=_("Số hồ sơ, tên, tóm tắt; gõ có dấu hoặc không dấu."),
    )
    category = forms.ModelChoiceField(
        label=_("Lĩnh vực"), queryset=Category.objects.all(), required=False
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), ("open", _("Đang mở")), *DossierStatus.choices],
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan tham gia"),
        required=False,
        queryset=Agency.objects.filter(kind=AgencyKind.DOMESTIC),
    )
    classification = forms.TypedChoiceField(
        label=_("Độ mật"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả")), *Classification.choices],
    )
    date_from = forms.DateField(label=_("Mở từ ngày"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("đến ngày"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Ngày cuối không được trước ngày đầu."))
        return data


class RestrictionsForm(forms.Form):
    no_third_party = forms.BooleanField(label=_("Không sao gửi cho bên thứ ba"), required=False)
    no_export = forms.BooleanField(
        label=_("Không tải, xuất khi chưa được lãnh đạo duyệt"), required=False
    )
    print_needs_approval = forms.BooleanField(
        label=_("In phải được lãnh đạo duyệt"), required=False
    )


class CopyRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Hình thức"), choices=CopyKind.choices)
    message = forms.ModelChoiceField(
        label=_("Công văn (để trống: cả hồ sơ)"), queryset=Message.objects.none(), required=False
    )
    copies = forms.IntegerField(label=_("Số bản"), min_value=1, max_value=20, initial=1)
    reason = forms.CharField(
        label=_("Lý do, nơi nhận bản sao"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this dossier's messages: an id from elsewhere is "not a valid choice".
        self.fields["message"].queryset = Message.objects.filter(dossier=dossier)


class CopyDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Quyết định"),
        choices=[("1", _("Duyệt")), ("0", _("Không duyệt"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Ý kiến"), max_length=500, required=False)
