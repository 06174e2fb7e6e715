from django.utils import timezone
from rest_framework import serializers

from phoihop.regulations.models import (
    Article,
    Category,
    Chapter,
    Clause,
    Point,
    Regulation,
    Responsibility,
)


class ResponsibilitySerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Responsibility
        fields = ["agency", "role", "response_days", "response_hours", "task_title"]


class PointSerializer(serializers.ModelSerializer):
    class Meta:
        model = Point
        fields = ["letter", "text"]


class ClauseSerializer(serializers.ModelSerializer):
    points = PointSerializer(many=True, read_only=True)
    responsibilities = ResponsibilitySerializer(many=True, read_only=True)

    class Meta:
        model = Clause
        fields = ["number", "text", "points", "responsibilities"]


class ArticleSerializer(serializers.ModelSerializer):
    clauses = ClauseSerializer(many=True, read_only=True)

    class Meta:
        model = Article
        fields = ["number", "title", "text", "clauses"]


class ChapterSerializer(serializers.ModelSerializer):
    articles = ArticleSerializer(many=True, read_only=True)

    class Meta:
        model = Chapter
        fields = ["number", "title", "articles"]


class CategorySerializer(serializers.ModelSerializer):
    article = serializers.IntegerField(source="clause.article.number", read_only=True)
    clause = serializers.IntegerField(source="clause.number", read_only=True)

    class Meta:
        model = Category
        fields = ["code", "name", "kind", "article", "clause"]


class RegulationSerializer(serializers.ModelSerializer):
    parties = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    state = serializers.SerializerMethodField(
        help_text="Tình trạng hôm nay: draft, signing, pending, in_force, superseded, expired."
    )

    def get_state(self, obj) -> str:
        return obj.state_on(timezone.localdate())

    class Meta:
        model = Regulation
        fields = [
            "code",
            "title",
            "number_symbol",
            "parties",
            "signed_on",
            "effective_from",
            "effective_to",
            "status",
            "state",
            "series",
            "version",
        ]


class RegulationDetailSerializer(RegulationSerializer):
    chapters = ChapterSerializer(many=True, read_only=True)
    categories = CategorySerializer(many=True, read_only=True)

    class Meta(RegulationSerializer.Meta):
        fields = [*RegulationSerializer.Meta.fields, "chapters", "categories"]
