from django.urls import path

from phoihop.audit.views import ObjectHistoryView
from phoihop.dossiers import views
from phoihop.dossiers.models import Dossier

app_name = "dossiers"
urlpatterns = [
    path("", views.DossierListView.as_view(), name="list"),
    path("export.csv", views.DossierExportView.as_view(), {"fmt": "csv"}, name="export-csv"),
    path("export.xlsx", views.DossierExportView.as_view(), {"fmt": "xlsx"}, name="export-xlsx"),
    path("new/", views.DossierCreateView.as_view(), name="create"),
    path("<int:pk>/", views.DossierDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.DossierEditView.as_view(), name="edit"),
    path("<int:pk>/transition/", views.DossierTransitionView.as_view(), name="transition"),
    path("<int:pk>/tasks/", views.TaskAddView.as_view(), name="task-add"),
    path("<int:pk>/messages/", views.MessageAddView.as_view(), name="message-add"),
    path("<int:pk>/restrictions/", views.DossierRestrictionsView.as_view(), name="restrictions"),
    path("<int:pk>/copy-requests/", views.CopyRequestView.as_view(), name="copy-request"),
    path("<int:pk>/print/", views.DossierPrintView.as_view(), name="print"),
    path("<int:pk>/copies/", views.CopyRegisterView.as_view(), name="copies"),
    path("<int:pk>/copies/<int:number>/", views.PrintedCopyView.as_view(), name="print-copy"),
    path("copy-requests/<int:pk>/decide/", views.CopyDecideView.as_view(), name="copy-decide"),
    path("tasks/<int:pk>/complete/", views.TaskCompleteView.as_view(), name="task-complete"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path(
        "<int:pk>/history/",
        ObjectHistoryView.as_view(model=Dossier, lookup="pk"),
        name="history",
    ),
]
