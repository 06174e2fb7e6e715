from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    """The back office's editorial desk: drafts, images, scheduling, publishing to the bulletin."""

    name = "phoihop.newsroom"
    label = "newsroom"
    verbose_name = _("Biên tập tin tức")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from phoihop.newsroom import policy  # noqa: F401
