"""The forms of the activity pages: labels and hints on every field, errors named by field."""

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from phoihop.accounts.choices import AgencyKind
from phoihop.accounts.models import Agency, Unit
from phoihop.activities.choices import (
    ActivityKind,
    ActivityStatus,
    MeasureKind,
    MemberRole,
    Opinion,
    RiskLevel,
    VettingResult,
)
from phoihop.core.choices import Classification
from phoihop.core.forms import DateInput
from phoihop.core.text import fold, nfc
from phoihop.regulations.choices import CategoryKind
from phoihop.regulations.models import Category, Regulation

DATE_HINT = _("Định dạng ngày/tháng/năm, ví dụ 02/12/2011.")
# The statuses an activity may still change in; "open" on the list means one of them.
OPEN_STATUSES = (ActivityStatus.REGISTERED, ActivityStatus.VETTING, ActivityStatus.ANSWERED)


def _classification_choices(user):
    return [(v, label) for v, label in Classification.choices if v <= user.clearance]


class UnitChoiceField(forms.ModelChoiceField):
    """A unit named with its agency: two agencies may each have a "Văn phòng"."""

    def label_from_instance(self, obj):
        return f"{obj.agency.short_name} – {obj.name}"


def _domestic_units():
    return (
        Unit.objects.filter(agency__kind=AgencyKind.DOMESTIC)
        .select_related("agency")
        .order_by("agency__short_name", "name")
    )


class ActivityFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        help_text=_("Số hồ sơ, tên, nội dung; gõ có dấu hoặc không dấu."),
    )
    kind = forms.ChoiceField(
        label=_("Loại hoạt động"),
        required=False,
        choices=[("", _("Tất cả")), *ActivityKind.choices],
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), ("open", _("Chưa kết thúc")), *ActivityStatus.choices],
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan tham gia"),
        required=False,
        queryset=Agency.objects.filter(kind=AgencyKind.DOMESTIC),
    )
    date_from = forms.DateField(
        label=_("Diễn ra từ ngày"),
        required=False,
        widget=DateInput(),
        help_text=_("Hoạt động có ít nhất một ngày trong khoảng này."),
    )
    date_to = forms.DateField(label=_("đến ngày"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Ngày cuối không được trước ngày đầu."))
        return data


class _ActivityFields(forms.Form):
    """What the Department of Foreign Affairs states about an activity, new or edited."""

    kind = forms.ChoiceField(label=_("Loại hoạt động"), choices=ActivityKind.choices)
    title = forms.CharField(
        label=_("Tên hoạt động"),
        max_length=255,
        help_text=_("Ví dụ: Đoàn Chính quyền châu Văn Sơn (Vân Nam) thăm và làm việc."),
    )
    purpose = forms.CharField(
        label=_("Mục đích, nội dung"), widget=forms.Textarea(attrs={"rows": 4})
    )
    host_unit = UnitChoiceField(
        label=_("Đơn vị chủ trì đón tiếp, tổ chức"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Chọn trong danh mục; nếu không có, ghi tên ở ô dưới."),
    )
    host_name = forms.CharField(
        label=_("Cơ quan, đơn vị chủ trì (nếu ngoài danh mục)"),
        max_length=255,
        required=False,
        help_text=_("Ví dụ: UBND huyện Vị Xuyên."),
    )
    country = forms.CharField(
        label=_("Quốc gia"),
        max_length=2,
        required=False,
        help_text=_("Mã 2 chữ cái: CN (Trung Quốc), LA (Lào)…"),
    )
    starts_on = forms.DateField(label=_("Từ ngày"), widget=DateInput(), help_text=DATE_HINT)
    ends_on = forms.DateField(label=_("Đến ngày"), widget=DateInput(), help_text=DATE_HINT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_unit"].queryset = _domestic_units()

    def clean_country(self):
        return nfc(self.cleaned_data["country"]).strip().upper()

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("Ngày kết thúc không được trước ngày bắt đầu."))
        return data


class ActivityForm(_ActivityFields):
    """Registering an activity (the Department of Foreign Affairs' side)."""

    classification = forms.TypedChoiceField(label=_("Độ mật"), coerce=int)
    counterpart = forms.ModelChoiceField(
        label=_("Đối tác nước ngoài"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_("Cơ quan phía nước ngoài cử đoàn hoặc mời đoàn, nếu có trong danh mục."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classification"].choices = _classification_choices(user)
        self.fields["counterpart"].queryset = Agency.objects.filter(kind=AgencyKind.FOREIGN)


class ActivityEditForm(_ActivityFields):
    """Changing what was registered (the classification is the dossier's: edit it there)."""


# --- itinerary ------------------------------------------------------------------------------

_YES = {"co", "x", "1", "bien gioi", "kvbg", "yes", "y"}
_NO = {"", "khong", "0", "no", "n"}


def itinerary_lines(days) -> str:
    """The itinerary as the lines of the textarea, to edit."""
    lines = []
    for d in days:
        cells = [
            d.day.strftime("%d/%m/%Y"),
            d.place,
            d.venue,
            str(_("có")) if d.border_area else "",
            d.border_gate,
            d.note,
        ]
        while cells and not cells[-1]:
            cells.pop()
        lines.append("; ".join(cells))
    return "\n".join(lines)


class ItineraryForm(forms.Form):
    """The programme as lines: one stop a line, columns separated by semicolons."""

    lines = forms.CharField(
        label=_("Lịch trình"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Mỗi dòng một điểm: ngày; địa điểm; nơi làm việc, lưu trú; khu vực biên giới "
            "(ghi «có» hoặc để trống); cửa khẩu; ghi chú. Ví dụ: 15/03/2010; xã Thanh Thủy, "
            "huyện Vị Xuyên; Trạm Kiểm soát liên hợp; có; Cửa khẩu Thanh Thủy. "
            "Để trống cả ô: xóa lịch trình."
        ),
    )

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity

    def clean_lines(self):
        text = nfc(self.cleaned_data["lines"] or "")
        days, problems = [], []
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            cells = [c.strip() for c in raw.split(";")]
            if len(cells) > 6:
                problems.append(
                    _(
                        "Dòng %(n)d: có quá 6 cột (ngày; địa điểm; nơi làm việc; biên giới; "
                        "cửa khẩu; ghi chú)."
                    )
                    % {"n": number}
                )
                continue
            cells += [""] * (6 - len(cells))
            day_text, place, venue, border, gate, note = cells
            try:
                day = dt.datetime.strptime(day_text, "%d/%m/%Y").date()  # noqa: DTZ007
            except ValueError:
                problems.append(
                    _("Dòng %(n)d: ngày «%(v)s» không đúng định dạng ngày/tháng/năm.")
                    % {"n": number, "v": day_text}
                )
                continue
            if not self.activity.starts_on <= day <= self.activity.ends_on:
                problems.append(
                    _("Dòng %(n)d: ngày %(d)s nằm ngoài thời gian của hoạt động (%(a)s – %(b)s).")
                    % {
                        "n": number,
                        "d": day_text,
                        "a": self.activity.starts_on.strftime("%d/%m/%Y"),
                        "b": self.activity.ends_on.strftime("%d/%m/%Y"),
                    }
                )
                continue
            if not place:
                problems.append(_("Dòng %(n)d: cần ghi địa điểm.") % {"n": number})
                continue
            folded = fold(border)
            if folded in _YES:
                border_area = True
            elif folded in _NO:
                border_area = bool(gate)  # a border gate lies in the border area
            else:
                problems.append(
                    _(
                        "Dòng %(n)d: cột khu vực biên giới chỉ ghi «có» hoặc để trống, "
                        "không ghi «%(v)s»."
                    )
                    % {"n": number, "v": border}
                )
                continue
            too_long = [
                label
                for value, limit, label in (
                    (place, 255, pgettext_lazy("itinerary place", "địa điểm")),
                    (venue, 255, _("nơi làm việc")),
                    (gate, 255, _("cửa khẩu")),
                    (note, 500, _("ghi chú")),
                )
                if len(value) > limit
            ]
            if too_long:
                problems.append(
                    _("Dòng %(n)d: %(what)s quá dài.")
                    % {"n": number, "what": ", ".join(str(w) for w in too_long)}
                )
                continue
            days.append(
                {
                    "day": day,
                    "place": place,
                    "venue": venue,
                    "border_area": border_area,
                    "border_gate": gate,
                    "note": note,
                }
            )
        if problems:
            raise forms.ValidationError(problems)
        return days


# --- members --------------------------------------------------------------------------------


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm người trong danh bạ đối tượng"),
        required=False,
        max_length=255,
        help_text=_("Họ tên, tên gốc, tên Latin hoặc số giấy tờ; có dấu hoặc không dấu."),
    )


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_kind_display()} {obj.number} ({obj.country})"


class MemberForm(forms.Form):
    """A person of the registry joining the delegation, with their role and passport."""

    role = forms.ChoiceField(label=_("Vai trò trong đoàn"), choices=MemberRole.choices)
    foreign = forms.BooleanField(
        label=_("Người nước ngoài"),
        required=False,
        help_text=_("Người nước ngoài phải có giấy tờ (hộ chiếu) ghi trong danh bạ."),
    )
    document = DocumentChoiceField(
        label=_("Giấy tờ (hộ chiếu)"),
        queryset=None,
        required=False,
        help_text=_("Các giấy tờ của người này trong danh bạ đối tượng."),
    )

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents


class MemberVettingForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Kết quả thẩm tra"),
        choices=[
            (VettingResult.CLEARED, VettingResult.CLEARED.label),
            (VettingResult.ATTENTION, VettingResult.ATTENTION.label),
        ],
    )
    note = forms.CharField(
        label=_("Ghi chú của cán bộ thẩm tra"),
        max_length=500,
        required=False,
        help_text=_("Chỉ cán bộ thẩm tra xem được."),
    )


# --- notification, assessment, opinion ----------------------------------------------------


class NotifyForm(forms.Form):
    prefix = "notify"

    police = forms.ModelChoiceField(
        label=_("Cơ quan thẩm tra"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("Theo quy chế (cơ quan phối hợp được giao)"),
        help_text=_("Cơ quan Công an nhận thông báo và nhiệm vụ thẩm tra."),
    )

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["police"].queryset = Agency.objects.filter(
            kind=AgencyKind.DOMESTIC, dossier_parties__dossier=dossier
        ).exclude(pk=dossier.lead_agency_id)


class AssessmentForm(forms.Form):
    risk_level = forms.ChoiceField(
        label=_("Mức độ rủi ro"), choices=[("", "—"), *RiskLevel.choices]
    )
    assessment = forms.CharField(
        label=_("Đánh giá an ninh"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Tình hình liên quan, nguy cơ, nhận định của lực lượng Công an."),
    )


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Biện pháp"), choices=[("", "—"), *MeasureKind.choices], required=False
    )
    unit = UnitChoiceField(
        label=_("Đơn vị thực hiện"), queryset=Unit.objects.none(), required=False
    )
    day = forms.DateField(
        label=_("Ngày"),
        required=False,
        widget=DateInput(),
        help_text=_("Để trống: mọi ngày của hoạt động."),
    )
    description = forms.CharField(label=_("Nội dung"), max_length=500, required=False)

    def __init__(self, *args, units=None, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
        # The row's cells have no label of their own on the page: name field and row.
        row = (self.prefix or "").rpartition("-")[2]
        if row.isdigit():
            for field in self.fields.values():
                field.widget.attrs["aria-label"] = _("%(field)s, dòng %(n)d") % {
                    "field": field.label,
                    "n": int(row) + 1,
                }

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in ("kind", "unit", "day", "description")):
            return data  # an empty row: nothing to save
        if not data.get("kind"):
            self.add_error("kind", _("Chọn biện pháp."))
        if not data.get("unit") and "unit" not in self.errors:
            self.add_error("unit", _("Chọn đơn vị thực hiện."))
        day, activity = data.get("day"), self.activity
        if day and activity is not None and not activity.starts_on <= day <= activity.ends_on:
            self.add_error(
                "day",
                _("Ngày phải trong thời gian của hoạt động (%(a)s – %(b)s).")
                % {
                    "a": activity.starts_on.strftime("%d/%m/%Y"),
                    "b": activity.ends_on.strftime("%d/%m/%Y"),
                },
            )
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(f) for f in ("kind", "unit", "day", "description"))


MeasureFormSet = forms.formset_factory(MeasureForm, extra=3, max_num=30, validate_max=True)


class OpinionForm(forms.Form):
    prefix = "opinion"

    opinion = forms.ChoiceField(
        label=pgettext_lazy("police opinion", "Ý kiến"), choices=Opinion.choices
    )
    conditions = forms.CharField(
        label=_("Điều kiện kèm theo"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi đồng ý kèm điều kiện."),
    )
    number_symbol = forms.CharField(
        label=_("Số, ký hiệu công văn trả lời"),
        max_length=64,
        help_text=_("Ví dụ: 215/CAT-PA61"),
    )
    sent_on = forms.DateField(label=_("Ngày công văn"), widget=DateInput(), help_text=DATE_HINT)

    def clean(self):
        data = super().clean()
        if data.get("opinion") == Opinion.CONDITIONS and not (data.get("conditions") or "").strip():
            self.add_error("conditions", _("Cần ghi điều kiện khi đồng ý kèm điều kiện."))
        return data


class BriefingForm(forms.Form):
    prefix = "briefing"

    on = forms.DateField(label=_("Ngày phổ biến"), widget=DateInput(), help_text=DATE_HINT)
    by = forms.CharField(
        label=_("Người phổ biến"),
        max_length=255,
        help_text=_("Họ tên, chức vụ, đơn vị của người phổ biến."),
    )
    note = forms.CharField(
        label=_("Nội dung phổ biến"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Các quy định về bảo vệ bí mật nhà nước đã phổ biến cho thành viên đoàn."),
    )


# --- during and after ---------------------------------------------------------------------


class IncidentLinkForm(forms.Form):
    prefix = "link"

    dossier = forms.CharField(
        label=_("Số hồ sơ vụ việc"),
        max_length=32,
        help_text=_("Số hồ sơ đã có, ví dụ HS-2010-000123."),
    )

    def clean_dossier(self):
        return nfc(self.cleaned_data["dossier"]).strip().upper()


class IncidentOpenForm(forms.Form):
    prefix = "incident"

    category = forms.ModelChoiceField(
        label=_("Lĩnh vực phối hợp"),
        queryset=Category.objects.none(),
        help_text=_("Lĩnh vực xác định khoản của quy chế và thời hạn xử lý."),
    )
    title = forms.CharField(label=_("Tên vụ việc"), max_length=255)
    opened_on = forms.DateField(
        label=_("Ngày mở hồ sơ"),
        required=False,
        widget=DateInput(),
        help_text=_("Để trống: hôm nay."),
    )
    summary = forms.CharField(
        label=_("Tóm tắt"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (
            Category.objects.filter(
                regulation__in=Regulation.objects.in_force(timezone.localdate())
            )
            .filter(~Q(kind=CategoryKind.DELEGATION_SECURITY))
            .select_related("regulation")
        )


class CloseForm(forms.Form):
    prefix = "close"

    report = forms.CharField(
        label=_("Báo cáo kết quả"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Kết quả hoạt động, công tác bảo đảm an ninh, vụ việc phát sinh, kiến nghị."),
    )
    closed_on = forms.DateField(
        label=_("Ngày kết thúc hồ sơ"),
        required=False,
        widget=DateInput(),
        help_text=_("Để trống: hôm nay."),
    )


class CancelForm(forms.Form):
    prefix = "cancel"

    reason = forms.CharField(
        label=_("Lý do hủy"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ví dụ: phía bạn thông báo hoãn chuyến thăm."),
    )
