from django.db import models
from django.utils.translation import gettext_lazy as _


class NomineeKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Cá nhân")
    COLLECTIVE = "collective", _("Tập thể")


class AwardType(models.TextChoices):
    CERTIFICATE = "giay_khen", _("Giấy khen")


class NominationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Đã đề nghị, chờ hội đồng thi đua")
    RECOMMENDED = "recommended", _("Hội đồng thi đua đề nghị khen")
    NOT_RECOMMENDED = "not_recommended", _("Hội đồng thi đua không đề nghị")
    APPROVED = "approved", _("Đã quyết định khen thưởng")
    REFUSED = "refused", _("Không khen thưởng")
