"""Spreadsheet-safe CSV: what both the report and organisation exports rely on."""

import csv
import io

import pytest

from common.spreadsheets import csv_bytes, safe_cell, unescape_cell


@pytest.mark.parametrize("text", ["=1+1", "+44 1865", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe_and_comes_back(text):
    assert safe_cell(text) == "'" + text
    assert unescape_cell(safe_cell(text)) == text


def test_ordinary_values_are_written_as_they_are():
    assert safe_cell("Cherwell") == "Cherwell"
    assert safe_cell(None) == ""
    assert safe_cell(2.5) == "2.5"
    assert safe_cell(3.0) == "3.0"
    assert unescape_cell("'quoted") == "'quoted"  # only undoes what safe_cell did


def test_the_file_has_a_byte_order_mark_and_crlf_line_ends():
    data = csv_bytes(["name", "note"], [["Oxfordshire", "=HYPERLINK()"]])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text == "name,note\r\nOxfordshire,'=HYPERLINK()\r\n"
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "note"],
        ["Oxfordshire", "'=HYPERLINK()"],
    ]
