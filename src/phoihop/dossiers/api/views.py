from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from phoihop.core import policy
from phoihop.core.api import CappedPagination
from phoihop.core.api_views import PolicyViewSetMixin
from phoihop.dossiers import services
from phoihop.dossiers.api.serializers import (
    DossierCreateSerializer,
    DossierDetailSerializer,
    DossierSerializer,
    DossierUpdateSerializer,
    TransitionSerializer,
)
from phoihop.dossiers.filtersets import filter_dossiers, sort_dossiers
from phoihop.dossiers.forms import DossierFilterForm
from phoihop.dossiers.models import Dossier, DossierParty, Task


@extend_schema(tags=["dossiers"])
class DossierViewSet(
    PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Coordination dossiers the user may see; writes go through the dossier services."""

    base_queryset = Dossier.objects.select_related(
        "category", "crime_type", "lead_agency", "counterpart"
    )
    pagination_class = CappedPagination

    def get_serializer_class(self):
        if self.action == "retrieve":
            return DossierDetailSerializer
        return DossierSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("parties", DossierParty.objects.select_related("agency")),
                Prefetch("tasks", Task.objects.select_related("agency")),
            )
        if self.action == "list":
            form = DossierFilterForm(self.request.query_params)
            if not form.is_valid():
                # Answer which filter is wrong rather than list without it.
                raise ValidationError(form.errors)
            queryset = filter_dossiers(queryset, form.cleaned_data)
            queryset, _sort = sort_dossiers(queryset, self.request.query_params.get("sort"))
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("status", str),
            OpenApiParameter("date_from", str, description="YYYY-MM-DD hoặc dd/mm/yyyy"),
            OpenApiParameter("date_to", str),
            OpenApiParameter("sort", str),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=DossierCreateSerializer, responses={201: DossierDetailSerializer})
    def create(self, request):
        serializer = DossierCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dossier = services.dossier_open(actor=request.user, **serializer.validated_data)
        return Response(DossierDetailSerializer(dossier).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DossierUpdateSerializer, responses=DossierDetailSerializer)
    def partial_update(self, request, pk=None):
        dossier = policy.get_or_404(Dossier.objects.all(), request.user, policy.CHANGE, pk=pk)
        serializer = DossierUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        dossier = services.dossier_update(
            actor=request.user, dossier=dossier, **serializer.validated_data
        )
        return Response(DossierDetailSerializer(dossier).data)

    @extend_schema(request=TransitionSerializer, responses=DossierDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        dossier = policy.get_or_404(Dossier.objects.all(), request.user, policy.CHANGE, pk=pk)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dossier = services.dossier_transition(
            actor=request.user, dossier=dossier, **serializer.validated_data
        )
        return Response(DossierDetailSerializer(dossier).data)
