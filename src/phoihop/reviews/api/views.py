from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from phoihop.core import policy
from phoihop.regulations.models import Regulation
from phoihop.reviews.forms import StatisticsForm
from phoihop.reviews.statistics import compute_statistics


class StatisticsAPIView(APIView):
    """Figures of a period computed from the dossiers the user may aggregate."""

    @extend_schema(
        tags=["statistics"],
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("date_to", OpenApiTypes.DATE, required=True),
            OpenApiParameter("regulation", str, description="mã quy chế, ví dụ QCPH-2008"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        form = StatisticsForm(request.query_params)
        form.fields["regulation"].queryset = policy.restrict(Regulation.objects.all(), request.user)
        if not form.is_valid():
            raise ValidationError(form.errors)
        data = form.cleaned_data
        return Response(
            compute_statistics(
                actor=request.user,
                date_from=data["date_from"],
                date_to=data["date_to"],
                regulation=data["regulation"],
            )
        )
