from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    """Foreign-affairs activities: delegations in and out, events, foreign visitors."""

    name = "phoihop.activities"
    label = "activities"
    verbose_name = _("Hoạt động đối ngoại")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from phoihop.activities import policy  # noqa: F401
