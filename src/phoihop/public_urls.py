"""The public deployment's URLs: the bulletin, and nothing of the back office."""

from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="bulletin:list", permanent=False), name="home"),
    path("tin-tuc/", include("phoihop.bulletin.urls")),
]

handler404 = "phoihop.bulletin.views.not_found"
handler500 = "phoihop.bulletin.views.server_error"
