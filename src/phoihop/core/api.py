"""API base classes shared by the apps."""

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from phoihop.core.exceptions import ServiceError


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    """Service errors become 400 answers that name the field, like form errors."""
    if isinstance(exc, ServiceError):
        detail = exc.message_dict
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DRFValidationError) and not exc.detail:
        exc.detail = {"non_field_errors": [_("Dữ liệu không hợp lệ.")]}
    return drf_exception_handler(exc, context)
