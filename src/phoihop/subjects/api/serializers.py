import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from phoihop.core.text import nfc
from phoihop.subjects import matching
from phoihop.subjects.choices import DocumentKind, Sex
from phoihop.subjects.models import IdentityDocument, Subject

MATCH_LIMIT_MAX = 50


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


# --- matching (subjects.matching) -------------------------------------------------------------

_BIRTH = re.compile(r"^(?:(?:(\d{1,2})/)?(\d{1,2})/)?(\d{4})$")


def parse_birth(value: str) -> tuple[int | None, int | None, int | None]:
    """A birth date as yyyy, mm/yyyy or dd/mm/yyyy → (year, month, day); ValueError if bad.

    The reason is a Vietnamese message the API and the CLI show as they are.
    """
    found = _BIRTH.match(nfc(value))
    if not found:
        raise ValueError(_("Ngày sinh phải có dạng yyyy, mm/yyyy hoặc dd/mm/yyyy."))
    day, month, year = (int(p) if p else None for p in found.groups())
    if year < 1900:
        raise ValueError(_("Năm sinh phải từ 1900 trở đi."))
    if month is not None and not 1 <= month <= 12:
        raise ValueError(_("Tháng sinh phải từ 1 đến 12."))
    if day is not None:
        try:
            dt.date(year, month, day)
        except ValueError:
            raise ValueError(_("Ngày sinh không có thật.")) from None
    today = timezone.localdate()
    if (year, month or 1, day or 1) > (today.year, today.month, today.day):
        raise ValueError(_("Ngày sinh không được ở tương lai."))
    return year, month, day


def _has_name(text: str) -> bool:
    return bool(matching.latin_tokens(text) or matching.han_key(text))


class MatchQuerySerializer(serializers.Serializer):
    """What is known of the person sought; `name` in any form (Hán tự, pinyin, Vietnamese…)."""

    name = serializers.CharField(
        max_length=255,
        help_text="tên theo bất kỳ dạng nào: chữ Hán, pinyin, Hán Việt, có/không dấu",
    )
    other_names = serializers.ListField(
        child=serializers.CharField(max_length=255),
        max_length=10,
        required=False,
        default=list,
        help_text="các dạng tên khác của cùng người (tối đa 10)",
    )
    birth = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="yyyy, mm/yyyy hoặc dd/mm/yyyy"
    )
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    nationality = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="mã quốc gia ISO 2 chữ cái (VN, CN…)",
    )
    document = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="số giấy tờ tùy thân"
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=MATCH_LIMIT_MAX,
        required=False,
        default=10,
        error_messages={
            "invalid": _lazy("Số kết quả phải là số nguyên."),
            "min_value": _lazy("Số kết quả phải ít nhất là {min_value}."),
            "max_value": _lazy("Số kết quả tối đa là {max_value}."),
        },
    )

    def validate_name(self, value: str) -> str:
        if not _has_name(value):
            raise serializers.ValidationError(_("Tên phải có chữ cái hoặc chữ Hán."))
        return nfc(value)

    def validate_other_names(self, value: list[str]) -> list[str]:
        names = [nfc(v) for v in value if nfc(v)]
        if any(not _has_name(v) for v in names):
            raise serializers.ValidationError(_("Mỗi tên khác phải có chữ cái hoặc chữ Hán."))
        return names

    def validate_birth(self, value: str) -> tuple[int | None, int | None, int | None]:
        if not nfc(value):
            return None, None, None
        try:
            return parse_birth(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate_nationality(self, value: str) -> str:
        code = nfc(value).upper()
        if code and not (len(code) == 2 and code.isascii() and code.isalpha()):
            raise serializers.ValidationError(
                _("Quốc tịch phải là mã quốc gia 2 chữ cái (VN, CN…).")
            )
        return code

    def validate_document(self, value: str) -> str:
        return nfc(value)

    def query(self) -> matching.MatchQuery:
        """The validated data as a `MatchQuery` (call after `is_valid`)."""
        data = self.validated_data
        year, month, day = data.get("birth") or (None, None, None)
        return matching.MatchQuery(
            name=data["name"],
            other_names=tuple(data["other_names"]),
            birth_year=year,
            birth_month=month,
            birth_day=day,
            sex=data.get("sex", ""),
            nationality=data["nationality"],
            document=data["document"],
        )


# Named enum components: drf-spectacular would call the first one "FieldEnum", too generic.
@extend_schema_field(
    {"type": "string", "enum": ["name", "birth", "sex", "nationality", "document"]},
    component_name="MatchReasonFieldEnum",
)
class _ReasonFieldField(serializers.CharField):
    pass


@extend_schema_field(
    {"type": "string", "enum": ["agree", "partial", "disagree"]},
    component_name="MatchVerdictEnum",
)
class _VerdictField(serializers.CharField):
    pass


class MatchReasonSerializer(serializers.Serializer):
    """What agreed or disagreed: the name, birth date, sex, nationality or a document."""

    field = _ReasonFieldField(read_only=True)
    verdict = _VerdictField(read_only=True)
    text = serializers.CharField(read_only=True)


class MatchCandidateSerializer(serializers.Serializer):
    """A person who may be the one sought: the score (0–100), why, and the names to compare."""

    id = serializers.IntegerField(read_only=True)
    score = serializers.IntegerField(read_only=True, help_text="0–100, cao nhất trước")
    name_score = serializers.IntegerField(read_only=True, help_text="độ giống của tên, 0–100")
    reasons = MatchReasonSerializer(many=True, read_only=True)
    full_name = serializers.CharField(source="subject.full_name", read_only=True)
    native_name = serializers.CharField(source="subject.native_name", read_only=True)
    latin_name = serializers.CharField(source="subject.latin_name", read_only=True)
    han_viet = serializers.CharField(source="subject.han_viet", read_only=True)
    birth = serializers.CharField(source="subject.birth_display", read_only=True)
    nationality = serializers.CharField(source="subject.nationality", read_only=True)


class MatchCandidateWithDocumentsSerializer(MatchCandidateSerializer):
    """The same, with identity document numbers: for the command line (the system actor).
    The API leaves them out: a person's documents are read on their page, with a declared
    purpose that the personal-data log records."""

    documents = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_documents(self, candidate) -> list[str]:
        return [d.number for d in candidate.subject.documents.all()]
