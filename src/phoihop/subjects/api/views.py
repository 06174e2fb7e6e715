from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from phoihop.core import policy
from phoihop.core.api_views import PolicyViewSetMixin
from phoihop.subjects import matching, services
from phoihop.subjects.api.serializers import (
    MatchCandidateSerializer,
    MatchQuerySerializer,
    SubjectCreateSerializer,
    SubjectDetailSerializer,
    SubjectSerializer,
)
from phoihop.subjects.choices import AccessKind, AccessPurpose
from phoihop.subjects.models import Subject
from phoihop.subjects.views import search_subjects


@extend_schema(tags=["subjects"])
class SubjectViewSet(
    PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Persons visible to the user through their dossiers."""

    base_queryset = Subject.objects.select_related("owner_agency")

    def get_serializer_class(self):
        return SubjectDetailSerializer if self.action == "retrieve" else SubjectSerializer

    def get_queryset(self):
        queryset = super().get_queryset().order_by("full_name", "id")
        if self.action == "list":
            # A record merged into another is listed under the kept one; its own
            # address still answers (retrieve), pointing to where the person now is.
            queryset = queryset.filter(merged_into__isnull=True)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("documents")
        if self.action == "list" and (q := self.request.query_params.get("q")):
            queryset = search_subjects(queryset, q)
        return queryset

    @extend_schema(parameters=[OpenApiParameter("q", str, description="tên hoặc số giấy tờ")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "purpose",
                str,
                enum=AccessPurpose.values,
                required=True,
                description="mục đích truy cập dữ liệu cá nhân (được ghi nhật ký)",
            ),
            OpenApiParameter("note", str, description="ghi rõ khi mục đích là «other»"),
        ]
    )
    def retrieve(self, request, *args, **kwargs):
        subject = self.get_object()
        services.subject_access_record(
            actor=request.user,
            subjects=[subject],
            kind=AccessKind.VIEW,
            purpose=request.query_params.get("purpose", ""),
            note=request.query_params.get("note", ""),
        )
        return Response(self.get_serializer(subject).data)

    @extend_schema(request=SubjectCreateSerializer, responses={201: SubjectDetailSerializer})
    def create(self, request):
        serializer = SubjectCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subject = services.subject_create(actor=request.user, **serializer.validated_data)
        return Response(SubjectDetailSerializer(subject).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=MatchQuerySerializer,
        responses={200: MatchCandidateSerializer(many=True)},
        description=(
            "Tìm một người theo bất kỳ dạng tên nào (chữ Hán, pinyin, Hán Việt, có hoặc không "
            "dấu), kèm ngày sinh, giới tính, quốc tịch, số giấy tờ nếu biết: các ứng viên trong "
            "số người dùng được xem, điểm cao nhất trước, với lý do."
        ),
    )
    @action(detail=False, methods=["post"], url_path="match", pagination_class=None)
    def match(self, request):
        serializer = MatchQuerySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # A read, though a POST: the persons the user may *see*, not change.
        visible = policy.restrict(Subject.objects.all(), request.user, policy.VIEW)
        candidates = matching.match(
            serializer.query(), queryset=visible, limit=serializer.validated_data["limit"]
        )
        return Response(MatchCandidateSerializer(candidates, many=True).data)
