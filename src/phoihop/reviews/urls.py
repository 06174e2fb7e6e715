from django.urls import path

from phoihop.reviews import views

app_name = "reviews"
urlpatterns = [
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("statistics/chart.svg", views.StatisticsChartView.as_view(), name="statistics-chart"),
    path("reviews/", views.ReviewListView.as_view(), name="list"),
    path("reviews/new/", views.ReviewCreateView.as_view(), name="create"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="detail"),
    path("reviews/<int:pk>/chart.svg", views.ReviewChartView.as_view(), name="chart"),
    path(
        "reviews/<int:pk>/report.docx",
        views.ReviewReportView.as_view(fmt="docx"),
        name="report-docx",
    ),
    path(
        "reviews/<int:pk>/report.pdf", views.ReviewReportView.as_view(fmt="pdf"), name="report-pdf"
    ),
    path(
        "reviews/<int:pk>/persons-annex/",
        views.ReviewPersonsAnnexView.as_view(),
        name="persons-annex",
    ),
    path("reviews/<int:pk>/recompute/", views.ReviewRecomputeView.as_view(), name="recompute"),
    path("reviews/<int:pk>/close/", views.ReviewCloseView.as_view(), name="close"),
    path(
        "reviews/proposals/<int:pk>/decide/",
        views.ProposalDecideView.as_view(),
        name="proposal-decide",
    ),
    path("reviews/<int:pk>/conference/", views.ConferenceView.as_view(), name="conference"),
    path(
        "reviews/<int:pk>/units/<int:unit_pk>/", views.AssessmentView.as_view(), name="assessment"
    ),
    path(
        "reviews/<int:pk>/units/<int:unit_pk>/remind/",
        views.AssessmentRemindView.as_view(),
        name="assessment-remind",
    ),
]
