from django.urls import path

from phoihop.newsroom import views

app_name = "newsroom"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    path("new/", views.ArticleCreateView.as_view(), name="create"),
    path("preview/", views.PreviewView.as_view(), name="preview"),
    path("<int:pk>/", views.ArticleDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ArticleEditView.as_view(), name="edit"),
    path("<int:pk>/publish/", views.ArticlePublishView.as_view(), name="publish"),
    path("<int:pk>/schedule/", views.ArticleScheduleView.as_view(), name="schedule"),
    path("<int:pk>/unpublish/", views.ArticleUnpublishView.as_view(), name="unpublish"),
    path("<int:pk>/images/", views.ImageAddView.as_view(), name="image-add"),
    path("images/<int:pk>/", views.ImageFileView.as_view(), name="image"),
    path("images/<int:pk>/remove/", views.ImageRemoveView.as_view(), name="image-remove"),
    path("bundles/", views.BundleListView.as_view(), name="bundles"),
    path("bundles/send/", views.BundleSendView.as_view(), name="bundles-send"),
    path("from-review/<int:review_pk>/", views.FromReviewView.as_view(), name="from-review"),
]
