"""Excel exports: formula escaping, and a failure mid-export leaves no half-open writer behind."""
import gc

import pytest

from app.common.xlsx import safe_cell, xlsx_response


@pytest.mark.parametrize("value,expected", [("=1+1", "'=1+1"), ("+86", "'+86"), ("@x", "'@x"), ("-3", "'-3"),
                                            ("a\x01b", "ab"), ("正常", "正常"), (5, 5)])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_a_failing_row_source_does_not_leave_the_streaming_writer_open(app):
    def rows():
        yield [1, "a"]
        raise RuntimeError("database went away")

    with app.app_context(), pytest.raises(RuntimeError):
        xlsx_response("x.xlsx", "sheet", ["a", "b"], rows())
    gc.collect()  # an unclosed writer raises while collected; pytest turns that into a failure
