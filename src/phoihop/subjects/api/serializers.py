from rest_framework import serializers

from phoihop.subjects.choices import DocumentKind, Sex
from phoihop.subjects.models import IdentityDocument, Subject


class IdentityDocumentSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)

    class Meta:
        model = IdentityDocument
        fields = ["kind", "number", "country", "valid_until"]


class SubjectSerializer(serializers.ModelSerializer):
    """A row of the persons list: the same columns as the web list, no more.

    The rest of a person's data is in the detail, behind a declared purpose.
    """

    owner_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    birth = serializers.CharField(source="birth_display", read_only=True)

    class Meta:
        model = Subject
        fields = [
            "id",
            "full_name",
            "native_name",
            "latin_name",
            "pinyin",
            "sex",
            "birth",
            "nationality",
            "ethnicity",
            "owner_agency",
        ]
        read_only_fields = fields


class SubjectDetailSerializer(SubjectSerializer):
    documents = IdentityDocumentSerializer(many=True, read_only=True)

    class Meta(SubjectSerializer.Meta):
        fields = [
            *SubjectSerializer.Meta.fields,
            "han_viet",
            "aliases",
            "birth_year",
            "birth_month",
            "birth_day",
            "birth_place",
            "address",
            "documents",
        ]
        read_only_fields = fields


class SubjectCreateSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    native_name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    latin_name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    han_viet = serializers.CharField(max_length=255, required=False, allow_blank=True)
    pinyin = serializers.CharField(max_length=255, required=False, allow_blank=True)
    aliases = serializers.CharField(max_length=500, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, default=Sex.UNKNOWN)
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    birth_month = serializers.IntegerField(required=False, allow_null=True)
    birth_day = serializers.IntegerField(required=False, allow_null=True)
    birth_place = serializers.CharField(max_length=255, required=False, allow_blank=True)
    nationality = serializers.CharField(max_length=2, required=False, default="VN")
    ethnicity = serializers.CharField(max_length=64, required=False, allow_blank=True)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True)
    documents = IdentityDocumentSerializer(many=True, required=False, default=list)
