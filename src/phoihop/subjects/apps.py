from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectsConfig(AppConfig):
    name = "phoihop.subjects"
    label = "subjects"
    verbose_name = _("Đối tượng và xác minh")

    def ready(self) -> None:
        from phoihop.subjects import policy  # noqa: F401
