"""Form helpers shared by the apps."""

from django import forms

from phoihop.core.exceptions import ServiceError


def add_service_errors(form: forms.Form, error: ServiceError) -> None:
    """Attach a service's refusal to the form fields it names (or to the form)."""
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={
                "placeholder": "dd/mm/yyyy",
                "inputmode": "numeric",
                "autocomplete": "off",
                **(attrs or {}),
            },
            format="%d/%m/%Y",
        )
