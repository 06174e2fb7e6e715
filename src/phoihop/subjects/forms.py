import datetime as dt

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from phoihop.core.text import nfc
from phoihop.subjects.choices import AccessPurpose, AddressKind, DocumentKind, Sex, SubjectRole


class ListInput(forms.Widget):
    """Every value sent under one name: the repeated fields of a row (documents, addresses)."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return value if isinstance(value, list) else ([] if value is None else [value])

    def value_omitted_from_data(self, data, files, name):
        return False


class ListField(forms.Field):
    widget = ListInput

    def to_python(self, value):
        return [nfc(str(v)).strip() for v in value or []]


def _pad(values: list[str], n: int) -> list[str]:
    return [*values, *[""] * (n - len(values))]


def _date(text: str) -> dt.date | None:
    return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None  # noqa: DTZ007


class SubjectForm(forms.Form):
    """A person's record, on the create and edit pages.

    Identity documents and addresses are rows of repeated fields
    (`document_kind`, `document_number`…; `address_kind`, `address`): a page may
    send any number of them; a row with an id is an existing one.
    """

    full_name = forms.CharField(
        label=_("Họ và tên (tiếng Việt)"),
        max_length=255,
        required=False,
        help_text=_("Để trống nếu chỉ có tên chữ Hán: hệ thống gợi ý âm Hán Việt."),
    )
    native_name = forms.CharField(
        label=_("Tên theo chữ gốc"), max_length=255, required=False, help_text=_("Ví dụ: 王小明")
    )
    han_viet = forms.CharField(label=_("Âm Hán Việt"), max_length=255, required=False)
    pinyin = forms.CharField(label=_("Pinyin"), max_length=255, required=False)
    readings_confirmed = forms.BooleanField(
        label=_("Tôi đã kiểm tra âm Hán Việt và pinyin"),
        required=False,
        help_text=_(
            "Không đánh dấu thì cách đọc chỉ là gợi ý suy ra từ chữ Hán, "
            "không dùng làm căn cứ xác định nhân thân."
        ),
    )
    latin_name = forms.CharField(label=_("Tên Latin trên hộ chiếu"), max_length=255, required=False)
    aliases = forms.CharField(
        label=_("Tên gọi khác"),
        max_length=500,
        required=False,
        help_text=_("Các tên cách nhau bằng dấu chấm phẩy."),
    )
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_year = forms.IntegerField(label=_("Năm sinh"), required=False)
    birth_month = forms.IntegerField(label=_("Tháng sinh"), required=False)
    birth_day = forms.IntegerField(label=_("Ngày sinh"), required=False)
    nationality = forms.CharField(
        label=_("Quốc tịch"), max_length=2, initial="VN", help_text=_("Mã 2 chữ cái: VN, CN, LA…")
    )
    ethnicity = forms.CharField(label=_("Dân tộc"), max_length=64, required=False)
    birth_place = forms.CharField(label=_("Nơi sinh"), max_length=255, required=False)
    photo = forms.FileField(
        label=_("Ảnh"),
        required=False,
        help_text=_("Tệp JPEG hoặc PNG, tối đa 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    remove_photo = forms.BooleanField(label=_("Xóa ảnh hiện có"), required=False)
    document_id = ListField(required=False)
    document_kind = ListField(label=_("Loại giấy tờ"), required=False)
    document_number = ListField(label=_("Số giấy tờ"), required=False)
    document_country = ListField(label=_("Nước cấp"), required=False)
    document_valid_until = ListField(label=_("Có giá trị đến"), required=False)
    address_id = ListField(required=False)
    address_kind = ListField(label=_("Loại địa chỉ"), required=False)
    address = ListField(label=_("Địa chỉ"), required=False)
    role = forms.ChoiceField(
        label=_("Tư cách trong hồ sơ"), choices=SubjectRole.choices, required=False
    )

    ROW_FIELDS = (
        "document_id",
        "document_kind",
        "document_number",
        "document_country",
        "document_valid_until",
        "address_id",
        "address_kind",
        "address",
    )

    document_kinds = DocumentKind.choices
    address_kinds = AddressKind.choices

    def __init__(self, *args, in_dossier: bool = False, subject=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject
        if in_dossier:
            self.fields["role"].required = True
        else:
            del self.fields["role"]
        if subject is None or not subject.photo:
            del self.fields["remove_photo"]
        self.fields["native_name"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("subjects:readings"),
                "hx-trigger": "input changed delay:400ms, change",
                "hx-target": "#readings-suggestion",
                "hx-swap": "innerHTML",
                "lang": "zh",
                "autocomplete": "off",
            }
        )
        self.document_rows: list[dict] = []
        self.address_rows: list[dict] = []
        if not self.is_bound and subject is not None:
            self.document_rows = [
                {
                    "id": d.pk,
                    "kind": d.kind,
                    "number": d.number,
                    "country": d.country,
                    "valid_until": d.valid_until.strftime("%d/%m/%Y") if d.valid_until else "",
                }
                for d in subject.documents.order_by("pk")
            ]
            self.address_rows = [
                {"id": a.pk, "kind": a.kind, "text": a.text, "country": a.country}
                for a in subject.addresses.order_by("pk")
            ]

    def document_rows_shown(self) -> list[dict]:
        """The rows to lay out: those entered, then an empty one to add a document."""
        return [*self.document_rows, {"id": "", "kind": "", "number": "", "country": "VN"}]

    def address_rows_shown(self) -> list[dict]:
        return [*self.address_rows, {"id": "", "kind": "residence", "text": "", "country": "VN"}]

    def clean(self):
        data = super().clean()
        ids, kinds, numbers, countries, valid = (
            data.get(f) or []
            for f in (
                "document_id",
                "document_kind",
                "document_number",
                "document_country",
                "document_valid_until",
            )
        )
        n = max(len(ids), len(kinds), len(numbers), len(countries), len(valid), 0)
        rows = zip(*(_pad(v, n) for v in (ids, kinds, numbers, countries, valid)), strict=True)
        self.document_rows = []
        documents = []
        for row_id, kind, number, country, until in rows:
            if not (kind or number or until):
                continue  # an empty row; an existing document emptied is removed
            row = {"id": row_id, "kind": kind, "number": number, "country": country or "VN"}
            row["valid_until"] = until
            self.document_rows.append(row)
            i = len(self.document_rows)
            prefix = _("Giấy tờ thứ %(i)d: ") % {"i": i} if i > 1 else ""
            if not (kind and number):
                self.add_error("document_number", prefix + _("Cần nhập cả loại và số giấy tờ."))
                continue
            if kind not in DocumentKind.values:
                self.add_error("document_kind", prefix + _("Loại giấy tờ không hợp lệ."))
                continue
            try:
                until_date = _date(until)
            except ValueError:
                self.add_error(
                    "document_valid_until", prefix + _("Ngày phải theo dạng dd/mm/yyyy.")
                )
                continue
            documents.append(
                {
                    "id": row_id if row_id.isdigit() else None,
                    "kind": kind,
                    "number": number,
                    "country": (country or "VN").upper(),
                    "valid_until": until_date,
                }
            )
        ids, kinds, texts = (data.get(f) or [] for f in ("address_id", "address_kind", "address"))
        n = max(len(ids), len(kinds), len(texts), 0)
        self.address_rows = []
        addresses = []
        for row_id, kind, text in zip(*(_pad(v, n) for v in (ids, kinds, texts)), strict=True):
            if not text:
                continue
            kind = kind or AddressKind.RESIDENCE
            self.address_rows.append({"id": row_id, "kind": kind, "text": text})
            if kind not in AddressKind.values:
                self.add_error("address_kind", _("Loại địa chỉ không hợp lệ."))
                continue
            addresses.append(
                {"id": row_id if row_id.isdigit() else None, "kind": kind, "text": text}
            )
        data["documents"] = documents
        data["addresses"] = addresses
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        for name in (*self.ROW_FIELDS, "role"):
            data.pop(name, None)
        if not data.get("photo"):
            data.pop("photo", None)
        if self.subject is None:
            data.pop("remove_photo", None)
            for row in (*data["documents"], *data["addresses"]):
                row.pop("id")
        return data


class DuplicateConfirmForm(forms.Form):
    """The officer's answer to the duplicate warning: the records seen are other persons."""

    confirm_distinct = forms.BooleanField(required=False)
    distinct_from = ListField(required=False)

    def ids(self) -> list[int]:
        if not self.is_valid() or not self.cleaned_data["confirm_distinct"]:
            return []
        return [int(v) for v in self.cleaned_data["distinct_from"] if v.isdigit()]


class MergeForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do gộp"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ví dụ: cùng số hộ chiếu, phía bạn xác nhận là một người."),
    )


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
