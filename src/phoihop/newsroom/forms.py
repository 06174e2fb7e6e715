import datetime as dt

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phoihop.bulletin.choices import Moderation
from phoihop.core.forms import DateInput
from phoihop.newsroom import images, services
from phoihop.newsroom.choices import ArticleStatus


class ArticleForm(forms.Form):
    title = forms.CharField(
        label=_("Tiêu đề"),
        max_length=services.MAX_TITLE,
        help_text=_("Ngắn gọn, nói được việc chính. Đường dẫn của bài lấy từ tiêu đề, bỏ dấu."),
    )
    lead = forms.CharField(
        label=_("Sa-pô"),
        required=False,
        max_length=services.MAX_LEAD,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Một, hai câu tóm tắt, hiện ngay dưới tiêu đề và trong danh sách tin."),
    )
    body = forms.CharField(
        label=_("Nội dung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true"}),
        help_text=_(
            "Viết theo Markdown: một dòng trống giữa hai đoạn; ## Tiêu đề mục; **chữ đậm**; "
            "*chữ nghiêng*; dòng bắt đầu bằng «- » là một ý liệt kê. Đặt ảnh đã đính kèm "
            "bằng một dòng ![chú thích](anh-1). Thẻ HTML gõ vào chỉ hiện như chữ."
        ),
    )
    tags = forms.CharField(
        label=_("Thẻ"),
        required=False,
        max_length=services.MAX_TAGS_FIELD,
        help_text=_("Cách nhau bằng dấu phẩy, ví dụ: Sơ kết, Quy chế phối hợp."),
    )
    moderation = forms.ChoiceField(
        label=_("Kiểm duyệt ý kiến bạn đọc"),
        choices=Moderation.choices,
        initial=Moderation.PRE,
        widget=forms.RadioSelect,
        help_text=_("Mặc định: ý kiến chỉ hiện sau khi người kiểm duyệt đồng ý."),
    )
    comments_open = forms.BooleanField(label=_("Nhận ý kiến bạn đọc"), required=False, initial=True)

    def __init__(self, *args, article=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The live preview (htmx): the whole form is posted to the preview endpoint as the
        # editor types; without script, the «Xem trước» button does the same.
        self.fields["body"].widget.attrs.update(
            {
                "hx-post": reverse("newsroom:preview"),
                "hx-trigger": "input changed delay:600ms",
                "hx-target": "#xem-truoc",
                "hx-swap": "innerHTML",
            }
        )
        self.article = article

    def clean(self):
        data = super().clean()
        # The services' own checks, so that every field in error is named at once.
        typed = {k: v for k, v in data.items() if k in self.fields and k not in self.errors}
        _cleaned, errors = services.clean_article_fields(typed)
        for field, message in errors.items():
            self.add_error(field, message)
        return data


class ImageForm(forms.Form):
    image = forms.FileField(
        label=_("Tệp ảnh"),
        help_text=_(
            "JPEG, PNG hoặc WebP, tối đa %(mb)s MB. Ảnh được thu nhỏ (cạnh dài nhất %(px)s "
            "điểm ảnh) và xóa mọi thông tin kèm theo (vị trí GPS, máy chụp, tác giả)."
        )
        % {"mb": images.MAX_UPLOAD_BYTES // (1024 * 1024), "px": images.MAX_SIDE},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(
        label=_("Chú thích"),
        max_length=services.MAX_CAPTION,
        help_text=_("Hiện dưới ảnh: ai, việc gì, ở đâu, khi nào."),
    )
    alt = forms.CharField(
        label=_("Mô tả ảnh"),
        max_length=services.MAX_ALT,
        help_text=_("Cho người đọc bằng phần mềm đọc màn hình: ảnh cho thấy gì."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "anh")
        super().__init__(*args, **kwargs)


class ScheduleForm(forms.Form):
    publish_on = forms.DateField(
        label=_("Ngày đăng"), widget=DateInput(), help_text=_("dd/mm/yyyy")
    )
    publish_time = forms.TimeField(
        label=_("Giờ đăng"),
        input_formats=["%H:%M"],
        widget=forms.TimeInput(
            format="%H:%M", attrs={"placeholder": "HH:MM", "inputmode": "numeric"}
        ),
        help_text=_("Giờ Việt Nam, 24 giờ, ví dụ 07:30."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "hen")
        super().__init__(*args, **kwargs)

    def publish_at(self) -> dt.datetime:
        data = self.cleaned_data
        return timezone.make_aware(dt.datetime.combine(data["publish_on"], data["publish_time"]))


class ArticleFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm theo tiêu đề, sa-pô, thẻ"),
        required=False,
        help_text=_("Gõ có dấu hoặc không dấu."),
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *ArticleStatus.choices]
    )
