from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegulationsConfig(AppConfig):
    name = "phoihop.regulations"
    label = "regulations"
    verbose_name = _("Quy chế phối hợp")

    def ready(self) -> None:
        from phoihop.regulations import policy  # noqa: F401
