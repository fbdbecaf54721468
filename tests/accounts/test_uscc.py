"""统一社会信用代码 check-character validation."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.accounts.uscc import CHARSET, is_valid_uscc, make_uscc


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "91310000MA1FL4B24G"])
def test_published_codes_are_valid(code):
    assert is_valid_uscc(code)


@pytest.mark.parametrize("code", [
    "91350100M000100Y44",   # wrong check character
    "91350100M000100Y4",    # too short
    "91350100M000100Y433",  # too long
    "91350100M000I00Y43",   # I is not in the character set
    "",
    "９１３５０１００Ｍ０００１００Ｙ４３",
])
def test_invalid_codes_are_rejected(code):
    assert not is_valid_uscc(code)


@given(st.text(alphabet=CHARSET, min_size=17, max_size=17))
def test_generated_codes_validate_and_any_single_change_breaks_them(body):
    code = make_uscc(body)
    assert is_valid_uscc(code)
    wrong = next(c for c in CHARSET if c != code[-1])
    assert not is_valid_uscc(code[:-1] + wrong)
