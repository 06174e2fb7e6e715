from django.urls import path

from phoihop.regulations import views

app_name = "regulations"
urlpatterns = [
    path("", views.RegulationListView.as_view(), name="list"),
    path("<slug:code>/", views.RegulationDetailView.as_view(), name="detail"),
]
