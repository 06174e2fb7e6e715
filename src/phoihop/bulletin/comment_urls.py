"""Readers' comment pages, under /tin-tuc/ (the article page itself is the public part's)."""

from django.urls import path

from phoihop.bulletin import comment_views

urlpatterns = [
    path(
        "y-kien/<uuid:public_id>/bao-cao/",
        comment_views.CommentReportView.as_view(),
        name="comment-report",
    ),
    path("<slug:slug>/y-kien/", comment_views.CommentPostView.as_view(), name="comment-post"),
]
