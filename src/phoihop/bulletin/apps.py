from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinConfig(AppConfig):
    """The public side: published news, images, tags, reader comments and their moderation.

    Imports nothing of the back office (no agency, user, dossier or person), so that it
    can run alone as the public deployment (`phoihop serve --site public`).
    """

    name = "phoihop.bulletin"
    label = "bulletin"
    verbose_name = _("Bản tin công khai")
    default_auto_field = "django.db.models.BigAutoField"
