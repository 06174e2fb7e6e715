"""Forms of the comment pages and of moderation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from phoihop.bulletin.choices import Moderation
from phoihop.bulletin.comments import NAME_MAX, REPORT_REASON_MAX, TEXT_MAX, clean_text
from phoihop.bulletin.models import Block
from phoihop.bulletin.moderation import ANSWER_MAX, APPROVE, REJECT, RESTORE, SPAM


class TextField(forms.CharField):
    """Text in NFC with plain line ends before its length is checked (as it will be stored)."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value) if value else value


class CommentForm(forms.Form):
    name = TextField(
        label=_("Họ tên"),
        max_length=NAME_MAX,
        help_text=_("Tối đa 100 ký tự. Tên này hiện công khai cùng ý kiến."),
        error_messages={
            "required": _("Cần nhập họ tên."),
            "max_length": _("Họ tên dài tối đa %(limit_value)d ký tự (hiện có %(show_value)d)."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        max_length=254,
        help_text=_("Không hiện công khai; chỉ dùng khi cơ quan cần liên hệ với bạn."),
        error_messages={
            "required": _("Cần nhập địa chỉ thư điện tử."),
            "invalid": _("Địa chỉ thư điện tử chưa đúng, ví dụ: ten@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    text = TextField(
        label=_("Ý kiến"),
        max_length=TEXT_MAX,
        help_text=_(
            "Tối đa 2.000 ký tự và 2 liên kết. Ý kiến được hiện nguyên văn, không định dạng."
        ),
        error_messages={
            "required": _("Cần nhập nội dung ý kiến."),
            "max_length": _("Ý kiến dài tối đa 2.000 ký tự (hiện có %(show_value)d ký tự)."),
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # The honeypot: hidden from people by the stylesheet (class b-c-hp), filled by bots.
    website = forms.CharField(
        label=_("Trang web (để trống ô này)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def visible_fields(self):
        return [f for f in super().visible_fields() if f.name != "website"]


class ReportForm(forms.Form):
    REASONS = [
        ("offensive", _("Xúc phạm, thiếu văn hóa")),
        ("spam", _("Quảng cáo, thư rác")),
        ("false", _("Thông tin sai sự thật")),
        ("privacy", _("Lộ thông tin cá nhân của người khác")),
        ("other", _("Lý do khác")),
    ]
    reason = forms.ChoiceField(label=_("Lý do báo cáo"), choices=REASONS, widget=forms.RadioSelect)
    note = TextField(
        label=_("Ghi chú thêm"),
        required=False,
        max_length=200,
        help_text=_("Không bắt buộc, tối đa 200 ký tự."),
    )

    def reason_text(self) -> str:
        label = dict(self.REASONS)[self.cleaned_data["reason"]]
        note = self.cleaned_data.get("note") or ""
        return f"{label}: {note}"[:REPORT_REASON_MAX] if note else str(label)


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class QueueFilterForm(forms.Form):
    WAITING = "waiting"
    STATES = [
        (WAITING, _("Cần xử lý (chờ duyệt, tạm ẩn, hiện ngay chưa duyệt)")),
        ("pending", _("Chờ duyệt")),
        ("hidden", _("Tạm ẩn do bị báo cáo")),
        ("unreviewed", _("Đã hiện, chưa duyệt lại")),
        ("approved", _("Đã duyệt")),
        ("rejected", _("Không duyệt")),
        ("spam", _("Thư rác")),
        ("all", _("Tất cả")),
    ]
    state = forms.ChoiceField(label=_("Trạng thái"), choices=STATES, required=False)
    article = forms.CharField(label=_("Bài viết (đường dẫn)"), required=False, max_length=200)
    q = forms.CharField(
        label=_("Tìm"),
        required=False,
        max_length=200,
        help_text=_("Tên, thư điện tử, địa chỉ IP hoặc nội dung."),
    )


class DecideForm(forms.Form):
    ACTIONS = [
        (APPROVE, _("Duyệt")),
        (REJECT, _("Không duyệt")),
        (SPAM, _("Thư rác")),
        (RESTORE, _("Khôi phục")),
    ]
    action = forms.ChoiceField(label=_("Thao tác"), choices=ACTIONS)
    comment = forms.MultipleChoiceField(label=_("Ý kiến"), choices=())

    def __init__(self, data=None):
        data = data.copy() if data is not None else None
        if data is not None and data.get("row_action"):
            # A row's own button: "<action>:<public id>" decides that comment alone.
            action, _sep, public_id = data["row_action"].partition(":")
            data["action"] = action
            data.setlist("comment", [public_id])
        super().__init__(data)
        if data is not None:
            self.fields["comment"].choices = [(v, v) for v in data.getlist("comment")]

    def clean_comment(self):
        import uuid

        ids = []
        for value in self.cleaned_data["comment"][:200]:
            try:
                ids.append(uuid.UUID(value))
            except ValueError as exc:
                raise forms.ValidationError(_("Ý kiến không hợp lệ.")) from exc
        return ids


class BlockForm(forms.Form):
    kind = forms.ChoiceField(label=_("Chặn theo"), choices=Block.Kind.choices)
    note = TextField(label=_("Ghi chú"), required=False, max_length=300)


class BlockAddForm(BlockForm):
    value = TextField(
        label=_("Địa chỉ IP hoặc thư điện tử"),
        max_length=254,
        help_text=_("Ví dụ: 203.0.113.7 hoặc ten@example.com."),
    )
    field_order = ["kind", "value", "note"]


class AnswerForm(forms.Form):
    text = TextField(
        label=_("Trả lời của cơ quan"),
        max_length=ANSWER_MAX,
        help_text=_("Tối đa 5.000 ký tự. Hiện ngay dưới ý kiến, ghi tên cơ quan."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ArticleSettingsForm(forms.Form):
    moderation = forms.ChoiceField(
        label=_("Kiểm duyệt ý kiến"), choices=Moderation.choices, required=False
    )
    comments_open = forms.TypedChoiceField(
        label=_("Nhận ý kiến"),
        choices=[("1", _("Mở")), ("0", _("Đóng"))],
        coerce=lambda v: v == "1",
        required=False,
        empty_value=None,
    )
