from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.choices import AgencyKind, Role
from phoihop.accounts.models import Agency, Unit
from phoihop.core.choices import Classification
from phoihop.core.forms import DateInput


class TokenForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        min_length=6,
        max_length=6,
        help_text=_("6 chữ số đang hiện trong ứng dụng xác thực trên điện thoại."),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError(_("Mã xác thực gồm 6 chữ số."))
        return code


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên đăng nhập hoặc họ tên"), required=False)
    agency = forms.ModelChoiceField(
        label=_("Cơ quan"), queryset=Agency.objects.none(), required=False
    )
    role = forms.ChoiceField(label=_("Vai trò"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(kind=AgencyKind.DOMESTIC)
        self.fields["role"].choices = [("", _("Tất cả")), *Role.choices]


class UserForm(forms.Form):
    """Create (with an initial password) or edit an account; administrators only."""

    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=300, help_text=_("Ví dụ: Hoàng Minh Khải.")
    )
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    agency = forms.ModelChoiceField(label=_("Cơ quan"), queryset=Agency.objects.none())
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Phải thuộc cơ quan đã chọn."),
    )
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    clearance = forms.TypedChoiceField(
        label=_("Cấp độ tiếp cận bí mật"), choices=Classification.choices, coerce=int
    )
    position = forms.CharField(label=_("Chức vụ"), max_length=128, required=False)
    is_active = forms.BooleanField(
        label=_("Đang hoạt động"),
        required=False,
        initial=True,
        help_text=_(
            "Bỏ chọn để khóa tài khoản: mọi phiên và token API của người này hết hiệu lực."
        ),
    )
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, editing=None, protect_self=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(kind=AgencyKind.DOMESTIC)
        self.fields["unit"].queryset = Unit.objects.filter(
            agency__kind=AgencyKind.DOMESTIC
        ).select_related("agency")
        self.fields["password"].help_text = password_validators_help_text_html()
        if editing is None:
            del self.fields["is_active"]
        else:
            self.fields["password"].label = _("Mật khẩu mới")
            self.fields["password"].required = False
            self.fields["password"].help_text = _("Để trống nếu không đổi.")
            self.fields["password_confirm"].required = False
        if protect_self:
            # Nobody changes their own agency, unit, role, clearance or active state.
            for name in ("agency", "unit", "role", "clearance", "is_active"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Không tự thay đổi được trên tài khoản của mình.")

    def clean(self):
        data = super().clean()
        agency, unit = data.get("agency"), data.get("unit")
        if unit is not None and agency is not None and unit.agency_id != agency.pk:
            self.add_error("unit", _("Đơn vị phải thuộc cơ quan đã chọn."))
        if data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", _("Hai mật khẩu không khớp."))
        return data


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """The old password is checked through sign-in, so django-axes counts wrong guesses.

    Someone holding a stolen session cannot try old passwords without limit: the
    same lockout as the sign-in page applies, and the view then ends the session.
    """

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class AgencyForm(forms.Form):
    """Add an agency (administrators): a successor of a merger, or a foreign counterpart."""

    code = forms.SlugField(
        label=_("Mã"),
        max_length=32,
        help_text=_("Chữ không dấu, số và gạch ngang; ví dụ: cat-tuyenquang."),
    )
    name = forms.CharField(
        label=_("Tên cơ quan"), max_length=255, help_text=_("Ví dụ: Công an tỉnh Tuyên Quang.")
    )
    short_name = forms.CharField(
        label=_("Tên viết tắt"), max_length=64, help_text=_("Ví dụ: Công an tỉnh.")
    )
    kind = forms.ChoiceField(label=_("Loại"), choices=AgencyKind.choices)
    country = forms.CharField(
        label=_("Quốc gia (mã ISO)"),
        max_length=2,
        initial="VN",
        help_text=_("Hai chữ cái: VN cho cơ quan trong nước, CN cho Trung Quốc…"),
    )
    name_native = forms.CharField(
        label=_("Tên bằng tiếng nước ngoài"), max_length=255, required=False
    )
    document_prefix = forms.CharField(
        label=_("Ký hiệu văn bản"), max_length=32, required=False, help_text=_("Ví dụ: CAT.")
    )
    head_title = forms.CharField(
        label=_("Chức danh người đứng đầu"),
        max_length=128,
        required=False,
        help_text=_("Ví dụ: Giám đốc Công an tỉnh."),
    )


class AgencySuccessionForm(forms.Form):
    """Record that an agency was merged into, or renamed as, another (administrators)."""

    agency = forms.ModelChoiceField(
        label=_("Cơ quan được hợp nhất, đổi tên"),
        queryset=Agency.objects.none(),
        help_text=_("Cơ quan không còn hoạt động dưới tên này."),
    )
    successor = forms.ModelChoiceField(
        label=_("Cơ quan kế thừa"),
        queryset=Agency.objects.none(),
        help_text=_(
            "Nhận hồ sơ đang xử lý, người dùng, đơn vị và quy chế. Nếu chưa có, hãy thêm cơ quan trước."
        ),
    )
    on = forms.DateField(
        label=_("Ngày hợp nhất, đổi tên"), widget=DateInput(), help_text=_("Ví dụ: 01/07/2025.")
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ví dụ: số, ngày của quyết định hợp nhất."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = Agency.objects.filter(successor__isnull=True).order_by("kind", "name")
        self.fields["agency"].queryset = active
        self.fields["successor"].queryset = active

    def clean(self):
        data = super().clean()
        agency, successor = data.get("agency"), data.get("successor")
        if agency is not None and successor is not None and agency.pk == successor.pk:
            self.add_error("successor", _("Cơ quan kế thừa phải khác cơ quan được hợp nhất."))
        return data
