from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Password sign-in; demo accounts are refused unless the demo mode is on."""

    def user_can_authenticate(self, user) -> bool:
        if getattr(user, "is_demo", False) and not settings.PHOIHOP_DEMO:
            return False
        return super().user_can_authenticate(user)
