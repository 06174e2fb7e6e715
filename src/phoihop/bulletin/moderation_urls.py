"""Moderation of readers' comments, under /tin-tuc/kiem-duyet/ (moderator accounts only)."""

from django.urls import path

from phoihop.bulletin import moderation_views as views

urlpatterns = [
    path("", views.queue_view, name="moderation-queue"),
    path("dang-nhap/", views.login_view, name="moderation-login"),
    path("dang-xuat/", views.logout_view, name="moderation-logout"),
    path("quyet-dinh/", views.decide_view, name="moderation-decide"),
    path("y-kien/<uuid:public_id>/", views.comment_view, name="moderation-comment"),
    path("y-kien/<uuid:public_id>/chan/", views.block_view, name="moderation-block"),
    path("y-kien/<uuid:public_id>/tra-loi/", views.answer_view, name="moderation-answer"),
    path("chan/", views.blocks_view, name="moderation-blocks"),
    path("chan/<int:pk>/bo-chan/", views.unblock_view, name="moderation-unblock"),
    path("bai-viet/", views.articles_view, name="moderation-articles"),
    path("bai-viet/<slug:slug>/", views.article_settings_view, name="moderation-article"),
]
