"""Errors raised by services, carrying the field they concern."""

from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A business rule refused the change; nothing was saved.

    Built like Django's ValidationError ({field: message} or a message), so
    forms can attach it to their fields and the API can answer 400 with it.
    """

    @property
    def message_dict(self):  # type: ignore[override]
        if hasattr(self, "error_dict"):
            return super().message_dict
        return {"non_field_errors": self.messages}
