from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from phoihop.accounts.models import Agency
from phoihop.core.choices import Classification
from phoihop.dossiers.choices import DossierStatus
from phoihop.dossiers.models import Dossier, DossierParty, Task
from phoihop.regulations.models import Category, CrimeType


class AgencyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name", "short_name", "kind", "country"]


class PartySerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = DossierParty
        fields = ["agency", "role"]


class TaskSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "title", "agency", "due_on", "done_on"]


class DossierSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_kind = serializers.CharField(source="category.kind", read_only=True)
    crime_type = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    lead_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    counterpart = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    classification_label = serializers.CharField(
        source="get_classification_display", read_only=True
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Dossier
        fields = [
            "id",
            "reference",
            "title",
            "summary",
            "category",
            "category_kind",
            "crime_type",
            "lead_agency",
            "counterpart",
            "classification",
            "classification_label",
            "status",
            "status_label",
            "opened_on",
            "resolved_on",
            "outcome",
        ]
        read_only_fields = fields


class DossierDetailSerializer(DossierSerializer):
    parties = PartySerializer(many=True, read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta(DossierSerializer.Meta):
        fields = [*DossierSerializer.Meta.fields, "parties", "tasks"]
        read_only_fields = fields


class DossierCreateSerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), label=_("Lĩnh vực")
    )
    title = serializers.CharField(max_length=255, label=_("Tên hồ sơ"))
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    lead_agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), label=_("Cơ quan chủ trì")
    )
    supporting_agencies = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), many=True, required=False, default=list
    )
    counterpart = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    crime_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=CrimeType.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    classification = serializers.ChoiceField(
        choices=Classification.choices, default=Classification.THUONG
    )
    opened_on = serializers.DateField(required=False, default=None)


class DossierUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255, required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    counterpart = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), required=False, allow_null=True
    )
    crime_type = serializers.SlugRelatedField(
        slug_field="code", queryset=CrimeType.objects.all(), required=False, allow_null=True
    )


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DossierStatus.choices)
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField(required=False, default=None)
