from django.urls import path

from phoihop.subjects import views

app_name = "subjects"
urlpatterns = [
    path("", views.SubjectListView.as_view(), name="list"),
    path("new/", views.SubjectCreateView.as_view(), name="create"),
    path("<int:pk>/", views.SubjectDetailView.as_view(), name="detail"),
]
