from django.contrib.auth import views as auth_views
from django.urls import path

from phoihop.accounts import agency_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # two-factor authentication (TOTP)
    path("2fa/", views.TwoFactorVerifyView.as_view(), name="two-factor"),
    path("2fa/setup/", views.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path("2fa/setup/qr.svg", views.TwoFactorQRView.as_view(), name="two-factor-qr"),
    # the signed-in user's own security page
    path("security/", views.SecurityView.as_view(), name="security"),
    path("security/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("security/sessions/revoke/", views.SessionsRevokeView.as_view(), name="sessions-revoke"),
    path("security/2fa/reset/", views.TwoFactorResetOwnView.as_view(), name="two-factor-reset"),
    # administration of users (administrators only)
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("users/new/", views.UserCreateView.as_view(), name="user-create"),
    path("users/<int:pk>/", views.UserEditView.as_view(), name="user-edit"),
    path(
        "users/<int:pk>/reset-2fa/",
        views.UserResetTwoFactorView.as_view(),
        name="user-reset-two-factor",
    ),
    path("users/<int:pk>/unlock/", views.UserUnlockView.as_view(), name="user-unlock"),
    path("users/<int:pk>/history/", views.UserHistoryView.as_view(), name="user-history"),
    # administration of agencies, their mergers and renamings (administrators only)
    path("agencies/", agency_views.AgencyListView.as_view(), name="agency-list"),
    path("agencies/new/", agency_views.AgencyCreateView.as_view(), name="agency-create"),
    path(
        "agencies/succession/",
        agency_views.AgencySuccessionView.as_view(),
        name="agency-succession",
    ),
]
