"""Pages of the regulation's lifecycle; their routes are included by regulations/urls.py."""

urlpatterns: list = []
