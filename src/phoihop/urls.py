from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("phoihop.core.urls")),
    path("accounts/", include("phoihop.accounts.urls")),
    path("dossiers/", include("phoihop.dossiers.urls")),
    path("subjects/", include("phoihop.subjects.urls")),
    path("regulations/", include("phoihop.regulations.urls")),
    path("", include("phoihop.reviews.urls")),
    path("awards/", include("phoihop.awards.urls")),
    path("activities/", include("phoihop.activities.urls")),
    path("newsroom/", include("phoihop.newsroom.urls")),
    path("tin-tuc/", include("phoihop.bulletin.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/", include("phoihop.api_urls")),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
