from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    DOMESTIC = "domestic", _("Cơ quan trong nước")
    FOREIGN = "foreign", _("Cơ quan nước ngoài (đối tác)")


class Role(models.TextChoices):
    OFFICER = "officer", _("Cán bộ phòng nghiệp vụ")
    LIAISON = "liaison", _("Đầu mối phối hợp")
    LEADER = "leader", _("Lãnh đạo")
    SECRETARIAT = "secretariat", _("Thư ký sơ kết, tổng kết")
    OVERSIGHT = "oversight", _("Giám sát cấp tỉnh")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")
    # Writes and publishes the agency's public news; sees no dossier or person.
    EDITOR = "editor", _("Biên tập viên tin tức")


# Roles that read aggregate figures over every dossier of a regulation (reviews,
# oversight), without seeing any dossier or person.
AGGREGATE_ROLES = frozenset({Role.LEADER, Role.SECRETARIAT, Role.OVERSIGHT})
# Roles that work dossiers of their agency.
CASEWORK_ROLES = frozenset({Role.OFFICER, Role.LIAISON, Role.LEADER, Role.SECRETARIAT})
# Roles that must pass two-factor authentication (TOTP) after the password.
TWO_FACTOR_ROLES = frozenset({Role.LEADER, Role.ADMINISTRATOR})
