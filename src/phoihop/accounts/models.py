from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.choices import (
    AGGREGATE_ROLES,
    CASEWORK_ROLES,
    TWO_FACTOR_ROLES,
    AgencyKind,
    Role,
)
from phoihop.core.choices import Classification


class Agency(models.Model):
    """An agency (cơ quan): a party to a regulation or a foreign counterpart."""

    code = models.SlugField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên cơ quan"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=64)
    name_native = models.CharField(_("tên bằng tiếng nước ngoài"), max_length=255, blank=True)
    kind = models.CharField(_("loại"), max_length=16, choices=AgencyKind.choices)
    country = models.CharField(_("quốc gia (mã ISO)"), max_length=2, default="VN")
    document_prefix = models.CharField(
        _("ký hiệu văn bản"), max_length=32, blank=True, help_text=_("Ví dụ: CAT, SNgV")
    )
    head_title = models.CharField(_("chức danh người đứng đầu"), max_length=128, blank=True)
    head = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người đứng đầu"),
        help_text=_("Người ký quy chế thay mặt cơ quan."),
    )
    # Agencies merge and are renamed: the successor takes over the open dossiers, the
    # users and the regulations; this row stays, for the history that names it.
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("cơ quan kế thừa"),
    )
    succeeded_on = models.DateField(_("ngày hợp nhất, đổi tên"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")

    def __str__(self) -> str:
        return self.name

    @property
    def is_foreign(self) -> bool:
        return self.kind == AgencyKind.FOREIGN

    @property
    def is_succeeded(self) -> bool:
        return self.successor_id is not None


class Unit(models.Model):
    """A division (đơn vị, phòng nghiệp vụ) of an agency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units")
    code = models.SlugField(_("mã"), max_length=32)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    is_liaison = models.BooleanField(_("là đầu mối phối hợp"), default=False)

    class Meta:
        ordering = ["agency", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="unit_code_unique")]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.short_name})"


class User(AbstractUser):
    """A person who signs in: belongs to an agency and unit, has a role and a clearance."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices, default=Role.OFFICER)
    clearance = models.PositiveSmallIntegerField(
        _("cấp độ tiếp cận bí mật"), choices=Classification.choices, default=Classification.THUONG
    )
    position = models.CharField(_("chức vụ"), max_length=128, blank=True)
    is_demo = models.BooleanField(_("tài khoản trình diễn"), default=False)
    session_generation = models.PositiveIntegerField(
        _("thế hệ phiên đăng nhập"),
        default=0,
        editable=False,
        help_text=_("Tăng lên khi người dùng đăng xuất khỏi mọi phiên."),
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    is_system = False

    def get_full_name(self) -> str:
        """The name in Vietnamese order: family and middle names (last_name), then the given name."""
        return " ".join(p for p in (self.last_name, self.first_name) if p).strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def does_casework(self) -> bool:
        """Whether the role works dossiers and persons (not oversight, not administration)."""
        return self.role in CASEWORK_ROLES

    @property
    def reads_whole_figures(self) -> bool:
        """Whether the role reads figures over whole regulations (reviews, overall statistics)."""
        return self.role in AGGREGATE_ROLES

    @property
    def requires_two_factor(self) -> bool:
        """Whether the role obliges this user to pass TOTP after the password."""
        return self.role in TWO_FACTOR_ROLES

    def _get_session_auth_hash(self, secret=None):
        # The hash stored in each session; a session whose hash no longer
        # matches is signed out. Mixing in the generation lets "sign out of all
        # sessions" invalidate them without changing the password. Generation 0
        # keeps Django's own hash, so sessions opened before this existed stay valid.
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)
        key_salt = "phoihop.accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt,
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()
