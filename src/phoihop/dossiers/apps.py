from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "phoihop.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ phối hợp")

    def ready(self) -> None:
        from phoihop.dossiers import policy  # noqa: F401
