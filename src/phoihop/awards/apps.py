from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "phoihop.awards"
    label = "awards"
    verbose_name = _("Thi đua, khen thưởng")

    def ready(self) -> None:
        from phoihop.awards import policy  # noqa: F401
