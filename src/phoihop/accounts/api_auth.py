"""API token sign-in that obeys the same demo-mode rule as password sign-in."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


class AccountTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if getattr(user, "is_demo", False) and not settings.PHOIHOP_DEMO:
            raise AuthenticationFailed(_("Tài khoản trình diễn chỉ dùng được ở chế độ trình diễn."))
        return user, token
