from django.urls import path

from phoihop.subjects import batch_views, import_views, merge_views, verification_views, views

app_name = "subjects"
urlpatterns = [
    *import_views.urlpatterns,
    *batch_views.urlpatterns,
    *verification_views.urlpatterns,
    *merge_views.urlpatterns,
    path("", views.SubjectListView.as_view(), name="list"),
    path("new/", views.SubjectCreateView.as_view(), name="create"),
    path("readings/", views.SubjectReadingsView.as_view(), name="readings"),
    path("<int:pk>/edit/", views.SubjectEditView.as_view(), name="edit"),
    path("<int:pk>/photo/", views.SubjectPhotoView.as_view(), name="photo"),
    path("export.csv", views.SubjectExportView.as_view(), name="export-csv"),
    path("access-log/", views.SubjectAccessLogView.as_view(), name="access-log"),
    path("<int:pk>/print/", views.SubjectPrintView.as_view(), name="print"),
    path("<int:pk>/", views.SubjectDetailView.as_view(), name="detail"),
    path("<int:pk>/history/", views.SubjectHistoryView.as_view(), name="history"),
]
