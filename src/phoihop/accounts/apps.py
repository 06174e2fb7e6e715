from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "phoihop.accounts"
    label = "accounts"
    verbose_name = _("Cơ quan và tài khoản")

    def ready(self) -> None:
        from phoihop.accounts import policy  # noqa: F401  (registers the rules)
