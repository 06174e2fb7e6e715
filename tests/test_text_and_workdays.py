"""Vietnamese search folding and working-day arithmetic (weekends, Tết, make-up Saturdays)."""

import datetime as dt
import unicodedata

import pytest

from phoihop.core.text import fold, nfc, search_blob
from phoihop.core.workdays import add_working_days, is_working_day, working_days_between

D = dt.date


# --- fold / nfc -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Đồng Văn", "dong van"),
        ("dong van", "dong van"),
        ("DONG  VĂN", "dong van"),
        ("Mèo Vạc", "meo vac"),
        ("Hoàng Su Phì", "hoang su phi"),
        ("Nguyễn Thị Thủy", "nguyen thi thuy"),
        ("Lũng Cú", "lung cu"),
        ("Trương Ưng", "truong ung"),
        ("đường mòn", "duong mon"),
        ("ĐƯỜNG MÒN", "duong mon"),
        ("  Hà \t Giang\n", "ha giang"),
    ],
)
def test_fold_drops_diacritics_maps_d_lowercases_and_collapses_spaces(raw, folded):
    assert fold(raw) == folded


def test_fold_treats_nfd_input_like_nfc():
    decomposed = unicodedata.normalize("NFD", "Đồng Văn, Yên Minh")
    assert decomposed != "Đồng Văn, Yên Minh"
    assert fold(decomposed) == fold("Đồng Văn, Yên Minh") == "dong van, yen minh"


def test_fold_of_empty_values_is_empty():
    assert fold(None) == ""
    assert fold("") == ""
    assert fold("   ") == ""


def test_fold_keeps_han_characters_and_digits():
    assert fold("王小明 E12345678") == "王小明 e12345678"


def test_nfc_composes_and_strips():
    decomposed = unicodedata.normalize("NFD", " Quản Bạ ")
    assert nfc(decomposed) == "Quản Bạ"
    assert unicodedata.is_normalized("NFC", nfc(decomposed))
    assert nfc(None) == ""


def test_search_blob_folds_each_part_and_skips_empty_ones():
    assert search_blob("HS-2010-000001", "Vụ Mua Bán Người", None, "") == (
        "hs-2010-000001 | vu mua ban nguoi"
    )


# --- working days ---------------------------------------------------------------------------


def test_zero_working_days_is_the_start_date():
    assert add_working_days(D(2010, 3, 6), 0) == D(2010, 3, 6)


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2010, 3, 1), -1)


def test_add_working_days_skips_the_weekend():
    friday = D(2010, 3, 5)
    assert add_working_days(friday, 1) == D(2010, 3, 8)  # Monday
    assert add_working_days(friday, 5) == D(2010, 3, 12)
    assert add_working_days(D(2010, 3, 6), 1) == D(2010, 3, 8)  # from a Saturday


def test_ordinary_saturdays_and_sundays_are_not_working_days():
    assert not is_working_day(D(2010, 3, 6))
    assert not is_working_day(D(2010, 3, 7))
    assert is_working_day(D(2010, 3, 8))


def test_tet_2010_days_off_are_not_working_days():
    for day in range(13, 20):
        assert not is_working_day(D(2010, 2, day)), f"{day}/02/2010 is a day off"
    assert is_working_day(D(2010, 2, 12))
    assert is_working_day(D(2010, 2, 22))


def test_saturday_27_feb_2010_is_a_make_up_working_day():
    assert D(2010, 2, 27).weekday() == 5
    assert is_working_day(D(2010, 2, 27))
    assert add_working_days(D(2010, 2, 26), 1) == D(2010, 2, 27)
    assert add_working_days(D(2010, 2, 22), 5) == D(2010, 2, 27)
    assert add_working_days(D(2010, 2, 27), 1) == D(2010, 3, 1)


def test_add_working_days_across_tet_2010():
    # Friday 12/02/2010, the last working day before Tết: the next is Monday 22/02.
    assert add_working_days(D(2010, 2, 12), 1) == D(2010, 2, 22)
    # Wednesday 10/02 + 10: 11, 12, 22, 23, 24, 25, 26, Sat 27, 1/3, 2/3.
    assert add_working_days(D(2010, 2, 10), 10) == D(2010, 3, 2)


def test_add_working_days_across_tet_2011():
    # Tết 2011: 02/02 (Wed) to 07/02 (Mon) off.
    for day in range(2, 8):
        assert not is_working_day(D(2011, 2, day))
    assert add_working_days(D(2011, 2, 1), 1) == D(2011, 2, 8)
    assert add_working_days(D(2011, 1, 31), 3) == D(2011, 2, 9)


def test_add_working_days_across_new_year_2011():
    # 01/01/2011 was a Saturday, observed on Monday 03/01.
    assert add_working_days(D(2010, 12, 31), 1) == D(2011, 1, 4)


def test_working_days_between_counts_the_half_open_interval():
    assert working_days_between(D(2010, 3, 1), D(2010, 3, 1)) == 0
    assert working_days_between(D(2010, 3, 1), D(2010, 3, 8)) == 5
    assert working_days_between(D(2010, 3, 5), D(2010, 3, 7)) == 0


def test_working_days_between_across_tet_2010():
    assert working_days_between(D(2010, 2, 12), D(2010, 2, 22)) == 1
    # February 2010 after the 1st: 4 + 5 + 5 weekdays and the make-up Saturday.
    assert working_days_between(D(2010, 2, 1), D(2010, 2, 28)) == 15


def test_working_days_between_is_negative_backwards():
    assert working_days_between(D(2010, 2, 22), D(2010, 2, 12)) == -1
    assert working_days_between(D(2010, 3, 8), D(2010, 3, 1)) == -5


@pytest.mark.parametrize("start", [D(2010, 2, 10), D(2011, 1, 28), D(2010, 12, 30), D(2010, 4, 28)])
@pytest.mark.parametrize("days", [1, 3, 7, 15])
def test_working_days_between_inverts_add_working_days(start, days):
    assert working_days_between(start, add_working_days(start, days)) == days
