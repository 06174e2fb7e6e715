from django.urls import path

from phoihop.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.StatisticsView.as_view(), name="statistics"),
    path("chart.svg", views.StatisticsChartView.as_view(), name="statistics-chart"),
]
