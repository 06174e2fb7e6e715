from django.urls import include, path

from phoihop.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.ActivityListView.as_view(), name="list"),
    path("new/", views.ActivityCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ActivityDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ActivityEditView.as_view(), name="edit"),
    path("<int:pk>/itinerary/", views.ItineraryView.as_view(), name="itinerary"),
    path("<int:pk>/members/add/", views.MemberAddView.as_view(), name="member-add"),
    path("<int:pk>/notify/", views.NotifyView.as_view(), name="notify"),
    path("<int:pk>/vetting/", views.VettingRunView.as_view(), name="vetting-run"),
    path("<int:pk>/assessment/", views.AssessmentView.as_view(), name="assessment"),
    path("<int:pk>/opinion/", views.OpinionView.as_view(), name="opinion"),
    path("<int:pk>/briefing/", views.BriefingView.as_view(), name="briefing"),
    path("<int:pk>/incidents/link/", views.IncidentLinkView.as_view(), name="incident-link"),
    path("<int:pk>/incidents/open/", views.IncidentOpenView.as_view(), name="incident-open"),
    path("<int:pk>/close/", views.CloseView.as_view(), name="close"),
    path("<int:pk>/cancel/", views.CancelView.as_view(), name="cancel"),
    path("members/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="member-remove"),
    path("members/<int:pk>/vetting/", views.MemberVettingView.as_view(), name="member-vetting"),
    path("lich/", include("phoihop.activities.calendar_urls")),
]
