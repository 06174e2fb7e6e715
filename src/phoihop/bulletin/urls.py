"""The public bulletin's routes (no login). Comment and moderation routes are included."""

from django.urls import include, path

from phoihop.bulletin import feeds, views

app_name = "bulletin"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("tim-kiem/", views.search, name="search"),
    path("feed.atom", feeds.atom_feed, name="feed"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("anh/<str:name>", views.image, name="image"),
    path("nhan-goi-tin/", views.receive, name="receive"),
    path("ngon-ngu/", views.language, name="language"),
    path("the/<slug:slug>/", views.tag_detail, name="tag"),
    path("", include("phoihop.bulletin.comment_urls")),
    path("kiem-duyet/", include("phoihop.bulletin.moderation_urls")),
    # Last: an article's slug could otherwise shadow a fixed route.
    path("<slug:slug>/", views.article_detail, name="article"),
]
