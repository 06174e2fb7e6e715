from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema

from phoihop.core.api_views import ReadOnlyPolicyViewSet
from phoihop.regulations.api.serializers import RegulationDetailSerializer, RegulationSerializer
from phoihop.regulations.models import Category, Regulation
from phoihop.regulations.selectors import regulation_tree


@extend_schema(tags=["regulations"])
class RegulationViewSet(ReadOnlyPolicyViewSet):
    """Regulations with their text tree and who leads and supports each clause."""

    base_queryset = Regulation.objects.prefetch_related("parties")
    lookup_field = "code"

    def get_serializer_class(self):
        return RegulationDetailSerializer if self.action == "retrieve" else RegulationSerializer

    def get_object(self):
        regulation = super().get_object()
        regulation._prefetched_objects_cache["chapters"] = regulation_tree(regulation)
        regulation._prefetched_objects_cache["categories"] = Category.objects.filter(
            regulation=regulation
        ).select_related("clause__article")
        return regulation

    def get_queryset(self):
        return super().get_queryset().prefetch_related(Prefetch("parties"))
