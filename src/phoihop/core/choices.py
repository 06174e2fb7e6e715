"""Enumerations shared by every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.IntegerChoices):
    """State-secret level (độ mật); ordered, so a clearance "reaches" a level when >=."""

    THUONG = 0, _("Thường")
    MAT = 1, _("Mật")
    TOI_MAT = 2, _("Tối mật")
    TUYET_MAT = 3, _("Tuyệt mật")
