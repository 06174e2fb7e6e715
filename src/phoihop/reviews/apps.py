from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "phoihop.reviews"
    label = "reviews"
    verbose_name = _("Sơ kết, tổng kết và thống kê")

    def ready(self) -> None:
        from phoihop.reviews import policy  # noqa: F401
