from django.urls import path

from phoihop.subjects import views

app_name = "subjects"
urlpatterns = [
    path("", views.SubjectListView.as_view(), name="list"),
    path("new/", views.SubjectCreateView.as_view(), name="create"),
    path("export.csv", views.SubjectExportView.as_view(), name="export-csv"),
    path("access-log/", views.SubjectAccessLogView.as_view(), name="access-log"),
    path("<int:pk>/print/", views.SubjectPrintView.as_view(), name="print"),
    path("<int:pk>/", views.SubjectDetailView.as_view(), name="detail"),
    path("<int:pk>/history/", views.SubjectHistoryView.as_view(), name="history"),
]
