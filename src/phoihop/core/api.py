"""API base classes shared by the apps."""

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from phoihop.core.exceptions import ServiceError
from phoihop.core.pagination import COUNT_CAP, CappedPaginator


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class CappedPagination(Pagination):
    """Pages of a list that may be long: the count stops at COUNT_CAP (see core.pagination).

    `count_exact` is false when there are more results than `count`; `next` keeps leading
    on to the following page for as long as there is one.
    """

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_exact": not self.page.paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["required"] = ["count", "count_exact", "results"]
        answer["properties"]["count"]["description"] = _(
            "Số kết quả; khi nhiều hơn %(cap)s thì chỉ đếm đến %(cap)s."
        ) % {"cap": COUNT_CAP}
        answer["properties"]["count_exact"] = {
            "type": "boolean",
            "description": _("Sai khi số kết quả nhiều hơn «count»."),
        }
        return answer


def exception_handler(exc, context):
    """Service errors become 400 answers that name the field, like form errors."""
    if isinstance(exc, ServiceError):
        detail = exc.message_dict
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DRFValidationError) and not exc.detail:
        exc.detail = {"non_field_errors": [_("Dữ liệu không hợp lệ.")]}
    return drf_exception_handler(exc, context)
