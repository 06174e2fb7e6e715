"""The Atom feed of live articles (Django's syndication framework)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from phoihop.bulletin.caching import public_page
from phoihop.bulletin.models import Article, Tag

FEED_SIZE = 30
# The day the tag: URIs' authority starts (RFC 4151): fixed, so entry ids never change.
TAG_DATE = "2011"


class LatestArticles(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        # Entry ids are tag: URIs under this site's host name.
        self.host = request.get_host().split(":")[0] or "localhost"
        return None

    def title(self):
        return _("Bản tin phối hợp liên ngành")

    def subtitle(self):
        return _("Tin tức công khai về công tác phối hợp liên ngành.")

    def link(self):
        return reverse("bulletin:list")

    def feed_guid(self):
        return f"tag:{self.host},{TAG_DATE}:bulletin"

    def items(self):
        return (
            Article.objects.live()
            .only("uid", "slug", "title", "lead", "author_agency", "publish_at", "revised_at")
            .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("name")))[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Atom's summary is typed html: the lead is plain text, escaped so no reader
        # takes a tag typed in it for markup.
        return escape(item.lead)

    def item_link(self, item):
        return reverse("bulletin:article", args=[item.slug])

    def item_guid(self, item):
        # The back office's opaque uid, never the database id.
        return f"tag:{self.host},{TAG_DATE}:bulletin/{item.uid}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return max(item.revised_at, item.publish_at)

    def item_author_name(self, item):
        return item.author_agency

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


@public_page
def atom_feed(request):
    # A fresh feed object per request: it holds the request's host name.
    return LatestArticles()(request)
