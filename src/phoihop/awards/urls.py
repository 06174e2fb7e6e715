from django.urls import path

from phoihop.awards import views

app_name = "awards"
urlpatterns = [
    path("new/", views.NominationCreateView.as_view(), name="create"),
    path("<int:pk>/", views.NominationDetailView.as_view(), name="detail"),
    path("<int:pk>/council/", views.NominationCouncilView.as_view(), name="council"),
    path("<int:pk>/consent/", views.NominationConsentView.as_view(), name="consent"),
    path("<int:pk>/decide/", views.NominationDecideView.as_view(), name="decide"),
    path("<int:pk>/certificate.pdf", views.CertificateView.as_view(), name="certificate"),
]
