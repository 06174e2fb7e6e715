from django.urls import path

from phoihop.audit.views import ObjectHistoryView
from phoihop.regulations import import_views, lifecycle_views, redline_views, views
from phoihop.regulations.models import Regulation

app_name = "regulations"
urlpatterns = [
    path("", views.RegulationListView.as_view(), name="list"),
    # Before the detail page: "import" and the like are not regulation codes.
    *import_views.urlpatterns,
    *lifecycle_views.urlpatterns,
    *redline_views.urlpatterns,
    path("<slug:code>/", views.RegulationDetailView.as_view(), name="detail"),
    path(
        "<slug:code>/history/",
        ObjectHistoryView.as_view(model=Regulation, lookup="code"),
        name="history",
    ),
]
