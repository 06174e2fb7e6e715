"""The REST API: one router over the apps' viewsets."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from phoihop.dossiers.api.views import DossierViewSet
from phoihop.regulations.api.views import RegulationViewSet
from phoihop.reviews.api.views import StatisticsAPIView
from phoihop.subjects.api.views import SubjectViewSet

router = DefaultRouter()
router.register("dossiers", DossierViewSet, basename="dossier")
router.register("subjects", SubjectViewSet, basename="subject")
router.register("regulations", RegulationViewSet, basename="regulation")

urlpatterns = [
    path("statistics/", StatisticsAPIView.as_view(), name="api-statistics"),
    path("", include(router.urls)),
]
