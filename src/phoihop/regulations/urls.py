from django.urls import path

from phoihop.audit.views import ObjectHistoryView
from phoihop.regulations import views
from phoihop.regulations.models import Regulation

app_name = "regulations"
urlpatterns = [
    path("", views.RegulationListView.as_view(), name="list"),
    path("<slug:code>/", views.RegulationDetailView.as_view(), name="detail"),
    path(
        "<slug:code>/history/",
        ObjectHistoryView.as_view(model=Regulation, lookup="code"),
        name="history",
    ),
]
