"""Finding a person from any form of the name (subjects.matching)."""

import pytest
from django.db import connection

from phoihop.core import policy
from phoihop.core.policy import SYSTEM
from phoihop.subjects import services
from phoihop.subjects.choices import DocumentKind, Sex
from phoihop.subjects.matching import MatchQuery, han_key, latin_tokens, match
from phoihop.subjects.models import Subject, SubjectNameKey


def register(world, **fields):
    fields.setdefault("owner_agency", world.a)
    return services.subject_create(actor=SYSTEM, **fields)


@pytest.fixture
def people(world):
    """A registry with the person sought among look-alikes."""
    wang = register(
        world, native_name="王小明", sex=Sex.MALE, nationality="CN", birth_year=1975, birth_month=3
    )
    others = [
        register(world, native_name="王小红", sex=Sex.FEMALE, nationality="CN", birth_year=1980),
        register(world, native_name="汪晓明", sex=Sex.MALE, nationality="CN", birth_year=1975),
        register(world, native_name="张国强", sex=Sex.MALE, nationality="CN", birth_year=1968),
        register(world, native_name="单建华", sex=Sex.MALE, nationality="CN", birth_year=1990),
        register(world, full_name="Đặng Văn Đức", sex=Sex.MALE, birth_year=1982),
        register(world, full_name="Nguyễn Thị Hương", sex=Sex.FEMALE, birth_year=1991),
        register(world, full_name="Nguyễn Thị Hường", sex=Sex.FEMALE, birth_year=1993),
        register(world, full_name="Giàng Mí Páo", ethnicity="H'Mông", birth_year=1979),
        register(world, full_name="Giàng A Páo", ethnicity="H'Mông", birth_year=1985),
    ]
    return wang, others


def best(name, **extra):
    found = match(MatchQuery(name=name, **extra))
    assert found, f"nothing found for {name!r}"
    return found[0]


@pytest.mark.parametrize(
    "name",
    [
        "王小明",
        "WANG XIAOMING",
        "Wang Xiǎomíng",
        "Wang3 Xiao3 Ming2",
        "WANGXIAOMING",
        "Xiaoming Wang",
        "Vương Tiểu Minh",
        "Vuong Tieu Minh",
        "VUONG TIEU MINH",
        "王 小 明",
        "王曉明".replace("曉", "小"),  # traditional 王 is the same character
    ],
)
def test_every_form_of_a_chinese_name_finds_the_person_first(people, name):
    wang, _ = people
    top = best(name)
    assert top.subject == wang
    assert top.name_score >= 95
    assert top.reasons and top.reasons[0].verdict == "agree"


def test_traditional_characters_find_the_simplified_record(world):
    zhang = register(world, native_name="张国强", nationality="CN")
    register(world, native_name="张国华", nationality="CN")
    assert han_key("張 國 強") == "张国强"
    top = best("張國強")
    assert top.subject == zhang and top.name_score == 100
    assert "张国强" in top.reasons[0].text


def test_surname_with_special_reading_matches_its_han_viet_form(people):
    top = best("Thiện Kiến Hoa")
    assert top.subject.native_name == "单建华"


@pytest.mark.parametrize(
    "name",
    [
        "Dang Van Duc",  # no diacritics, đ written d
        "ĐẶNG VĂN ĐỨC",
        "đặng văn đức",
        "Đặng Văn Đức".encode().decode(),  # NFC
        __import__("unicodedata").normalize("NFD", "Đặng Văn Đức"),
        "Duc Dang Van",  # Western order
        "Văn Đức Đặng",
        "Đặng Đức",  # no middle name
        "Dang Van Dcu",  # transposition
        "Dnag Vn Duc",  # two typos in two words
    ],
)
def test_vietnamese_name_variants_find_the_person_first(people, name):
    top = best(name, birth_year=1982)
    assert top.subject.full_name == "Đặng Văn Đức"


def test_tokens_fold_diacritics_case_tone_numbers_and_apostrophes():
    assert latin_tokens("Giàng  A PÁO") == ["giang", "a", "pao"]
    assert latin_tokens("Wang3 Xiǎo-míng") == ["wang", "xiao", "ming"]
    assert latin_tokens("H'Mông") == ["hmong"]


def test_birth_year_agreement_raises_the_score(people):
    plain = best("Giang Pao")
    found = match(MatchQuery(name="Giang Pao", birth_year=1985))
    assert found[0].subject.full_name == "Giàng A Páo"
    assert found[0].score > plain.score
    assert any(r.field == "birth" and r.verdict == "agree" for r in found[0].reasons)
    # The other namesake is still listed, with the disagreement said.
    other = next(c for c in found if c.subject.full_name == "Giàng Mí Páo")
    assert any(r.field == "birth" and r.verdict == "disagree" for r in other.reasons)


def test_a_conflicting_full_birth_date_lowers_the_score(world):
    person = register(world, full_name="Lù Văn Sính", birth_year=1970, birth_month=5, birth_day=9)
    same = best("Lu Van Sinh", birth_year=1970, birth_month=5, birth_day=9)
    year_only = best("Lu Van Sinh", birth_year=1970)
    conflict = best("Lu Van Sinh", birth_year=1970, birth_month=6, birth_day=1)
    assert same.subject == year_only.subject == conflict.subject == person
    assert same.score > year_only.score > conflict.score
    assert any(r.verdict == "disagree" for r in conflict.reasons)


def test_sex_and_nationality_disagreements_are_reasons(people):
    top = match(MatchQuery(name="Vuong Tieu Minh", sex=Sex.FEMALE, nationality="VN"))[0]
    fields = {(r.field, r.verdict) for r in top.reasons}
    assert ("sex", "disagree") in fields and ("nationality", "disagree") in fields
    assert top.score < best("Vuong Tieu Minh").score


def test_document_number_match_dominates(world, people):
    holder = register(
        world,
        full_name="Ma Văn Kiên",
        documents=[{"kind": DocumentKind.PASSPORT, "number": "C 1234 567"}],
    )
    found = match(MatchQuery(name="Vuong Tieu Minh", document="c1234567"))
    assert found[0].subject == holder
    assert found[0].score >= 95
    assert found[0].reasons[0].field == "document"


def test_namesakes_are_both_returned_with_reasons(people):
    found = match(MatchQuery(name="Giang Pao"))
    names = [c.subject.full_name for c in found[:2]]
    assert sorted(names) == ["Giàng A Páo", "Giàng Mí Páo"]
    assert all(any("bỏ tên đệm" in r.text for r in c.reasons) for c in found[:2])


def test_diacritics_when_given_separate_names_that_fold_alike(people):
    found = match(MatchQuery(name="Nguyễn Thị Hương"))
    assert [c.subject.full_name for c in found[:2]] == ["Nguyễn Thị Hương", "Nguyễn Thị Hường"]
    assert found[0].score > found[1].score
    assert "dấu khác" in found[1].reasons[0].text
    # Without diacritics the two are namesakes as far as the query can tell.
    plain = match(MatchQuery(name="Nguyen Thi Huong"))
    assert plain[0].score == plain[1].score


def test_unknown_name_finds_nobody_beyond_unrelated_persons(people):
    assert all(c.name_score < 70 for c in match(MatchQuery(name="Sùng Seo Chứ")))


def test_queryset_restricts_the_candidates(world, people):
    wang, _ = people
    visible = policy.restrict(Subject.objects.all(), world.officer_b)
    assert match(MatchQuery(name="王小明"), queryset=visible) == []
    mine = policy.restrict(Subject.objects.all(), world.officer_a)
    assert match(MatchQuery(name="王小明"), queryset=mine)[0].subject == wang


def test_query_count_is_bounded_and_does_not_grow_with_the_registry(
    world, django_assert_max_num_queries
):
    def grow(n):
        for i in range(n):
            register(
                world,
                full_name=f"Nguyễn Văn {['Hùng', 'Dũng', 'Tuấn', 'Sơn'][i % 4]}",
                birth_year=1950 + i,
            )

    # On PostgreSQL the candidates' query runs in its own transaction (a savepoint here)
    # with parallel workers off: three more statements, as many at any size.
    budget = 3 + (3 if connection.vendor == "postgresql" else 0)
    grow(8)
    with django_assert_max_num_queries(budget):
        small = match(MatchQuery(name="Nguyen Van Hung", birth_year=1950, document="X1"))
    grow(40)
    with django_assert_max_num_queries(budget):
        large = match(MatchQuery(name="Nguyen Van Hung", birth_year=1950, document="X1"))
    assert small[0].subject == large[0].subject


def test_keys_follow_a_change_of_name(world, people):
    wang, _ = people
    services.subject_update(
        actor=SYSTEM,
        subject=wang,
        full_name="Vương Đại Sơn",
        native_name="王大山",
        han_viet="",
        pinyin="",
    )
    assert not SubjectNameKey.objects.filter(subject=wang, kind="han", key="王小明").exists()
    assert SubjectNameKey.objects.filter(subject=wang, kind="han", key="王大山").exists()
    assert best("Wang Dashan").subject == wang
    assert best("王小明").subject != wang


def test_rebuilding_all_keys_in_batches_gives_the_keys_the_services_wrote(people):
    from phoihop.subjects.matching import rebuild_keys
    from phoihop.subjects.models import IdentityDocument

    written = set(SubjectNameKey.objects.values_list("subject_id", "kind", "key"))
    assert rebuild_keys(Subject, SubjectNameKey, IdentityDocument, batch_size=3) == 10
    assert set(SubjectNameKey.objects.values_list("subject_id", "kind", "key")) == written


def test_the_same_reading_in_other_han_characters_is_not_a_full_match(people):
    wang, _ = people
    found = match(MatchQuery(name="王小明"))
    first, second = found[0], next(c for c in found if c.subject.native_name == "汪晓明")
    assert first.id == wang.pk
    assert first.score > second.score  # on the characters, not by a tie-break
    assert second.name_score <= 85
    assert any(r.verdict == "partial" and "chữ Hán khác" in r.text for r in second.reasons)


def test_two_typos_are_found_when_the_full_birth_date_is_known(world):
    """The birth date brings the person into the short list where no name key agrees."""
    sought = register(
        world, full_name="Nguyễn Văn Lìu", birth_year=1995, birth_month=11, birth_day=10
    )
    register(world, full_name="Lục Văn Lìn", birth_year=1995)
    register(world, full_name="Nguyễn Văn Liêu", birth_year=1962, birth_month=1, birth_day=5)
    found = match(MatchQuery(name="nguykn van li", birth_year=1995, birth_month=11, birth_day=10))
    assert found[0].id == sought.pk
    assert any(r.field == "birth" and r.verdict == "agree" for r in found[0].reasons)
    # Without the date, the same two typos are not enough to put the person first.
    undated = match(MatchQuery(name="nguykn van li"))
    assert not undated or undated[0].id != sought.pk or undated[0].score < found[0].score


def test_a_name_given_without_both_middle_names_is_still_the_person(world):
    sought = register(world, full_name="Phan Mạnh Đức Cường", birth_year=1967)
    register(world, full_name="Phan Văn Cương", birth_year=1967)
    register(world, full_name="Phạm Đức Cường", birth_year=1967)
    top = best("Phan Cường", birth_year=1967)
    assert top.id == sought.pk
    assert "bỏ tên đệm" in top.reasons[0].text


def test_pinyin_tones_tell_apart_characters_that_read_alike(world):
    yu_3 = register(world, native_name="王宇飞", nationality="CN", birth_year=1988)
    yu_4 = register(world, native_name="王玉飞", nationality="CN", birth_year=1988)
    for name, want, other in (
        ("Wáng Yǔfēi", yu_3, yu_4),
        ("Wáng Yùfēi", yu_4, yu_3),
        ("wang2 yu3 fei1", yu_3, yu_4),
    ):
        found = {c.id: c for c in match(MatchQuery(name=name))}
        assert found[want.pk].score > found[other.pk].score, name
        assert any("Thanh điệu pinyin khớp" in r.text for r in found[want.pk].reasons)
    # Without tones, they read the same and both stay candidates with equal name scores.
    plain = {c.id: c for c in match(MatchQuery(name="Wang Yufei"))}
    assert plain[yu_3.pk].name_score == plain[yu_4.pk].name_score


def test_vietnamese_marks_are_not_read_as_pinyin_tones(world):
    from phoihop.subjects.matching import stated_tones

    assert stated_tones("Wáng Yǔfēi") == "231"
    assert stated_tones("gu4 jia1") == "41"
    for vietnamese in ("Vương Tiểu Minh", "Lê Bá Hà", "Hà Lý", "Giàng A Páo"):
        assert stated_tones(vietnamese) == ""


@pytest.mark.parametrize("typed", ["Feng Kn", "Fng Kun", "Feng Kan", "Fegn Kun", "Feng Kuun"])
def test_one_typo_in_a_short_name_without_a_birth_date_is_found_first(world, typed):
    sought = register(world, native_name="冯坤", nationality="CN", birth_year=1966)
    register(world, native_name="冯明", nationality="CN", birth_year=1970)
    register(world, full_name="Phùng Văn Khoa", birth_year=1966)
    assert best(typed).id == sought.pk


def test_a_surname_with_its_own_reading_is_found_by_its_common_one(world):
    """单 as a surname reads Shàn; an input method gives dān."""
    sought = register(world, native_name="单平柳", nationality="CN", birth_year=1981)
    register(world, native_name="刘丹", nationality="CN", birth_year=1981)
    assert best("dan1 ping2 liu3", birth_year=1981).id == sought.pk
    assert best("Shan Pingliu").id == sought.pk
