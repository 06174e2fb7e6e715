from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "phoihop.accounts"
    label = "accounts"
    verbose_name = _("Cơ quan và tài khoản")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from phoihop.accounts import policy  # noqa: F401  (registers the rules)
        from phoihop.accounts.middleware import stamp_sign_in

        user_logged_in.connect(stamp_sign_in, dispatch_uid="phoihop.accounts.stamp_sign_in")
