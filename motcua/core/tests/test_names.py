import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.names import same_name, tone_key

TONES = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]


@pytest.mark.parametrize(
    ("a", "b"),
    [("Hòa Bình", "Hoà Bình"), ("Thủy Nguyên", "Thuỷ Nguyên"), ("Khánh  Hòa", "khánh hoà"), ("Quý", "Qúy")],
)
def test_tone_placement_case_and_spacing_do_not_change_a_name(a, b):
    assert same_name(a, b)


@pytest.mark.parametrize(("a", "b"), [("Hòa", "Hóa"), ("Hòa", "Hoa"), ("Đông", "Dong"), ("Ân", "Ấn")])
def test_a_different_tone_or_letter_is_a_different_name(a, b):
    assert not same_name(a, b)


@given(
    letters=st.text(alphabet="aâăeêioôơuưy", min_size=1, max_size=4),
    tone=st.sampled_from(TONES),
    first=st.integers(min_value=0),
    second=st.integers(min_value=0),
)
def test_the_key_ignores_which_vowel_carries_the_tone(letters, tone, first, second):
    def with_tone_at(position):
        decomposed = unicodedata.normalize("NFD", letters)
        bases = [i for i, ch in enumerate(decomposed) if not unicodedata.combining(ch)]
        at = bases[position % len(bases)]
        # The tone goes after the base letter and any vowel mark it already has.
        end = at + 1
        while end < len(decomposed) and unicodedata.combining(decomposed[end]):
            end += 1
        return unicodedata.normalize("NFC", decomposed[:end] + tone + decomposed[end:])

    assert tone_key("h" + with_tone_at(first)) == tone_key("h" + with_tone_at(second))
