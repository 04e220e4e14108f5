"""Contact-list import: row-by-row validation, E.164, callee zones, extra fields; DNC file parsing."""

from __future__ import annotations

import pytest

from blendcc.dialer.dnc import GLOBAL, DncSet, normalise, parse_dnc
from blendcc.dialer.importer import MAX_ERRORS, ListFormatError, parse_list

from .helpers import NOON_NY


def test_good_rows_kept_bad_rows_reported_with_line_and_reason() -> None:
    text = (
        "id,phone,name,tz,plan\n"
        "1,(212) 555-0101,Ann,,gold\n"            # national US number, zone from the number
        "2,+44 20 7946 0002,Bob,,\n"              # international form
        "3,0044 7911 123456,Carl,,\n"             # 00 prefix, UK mobile (London/Jersey/Guernsey agree)
        "4,+61 412 345 678,Dee,,\n"               # Australian mobile: several clocks -> refused
        "5,+61 412 345 679,Eve,Australia/Perth,\n"  # ... unless a tz column says which
        "6,12,Tiny,,\n"
        "7,,Nobody,,\n"
        "8,+12125550108,Zed,Mars/Base,\n"
        "9,+12125550109\n"
        "1,+12125550199,Again,,\n"
        "11,+1 (212) 555-0101,SameNumber,,\n"
        "\n"
        "10,+1 800 555 0100,Free,,\n"             # toll-free: any US zone -> refused
    )
    out = parse_list(text, "c1", "US", NOON_NY)
    assert out.total == 12
    by_id = {r.record_id: r for r in out.records}
    assert list(by_id) == ["1", "2", "3", "5"]
    assert (by_id["1"].phone, by_id["1"].tz, dict(by_id["1"].fields)) == (
        "+12125550101", "America/New_York", {"name": "Ann", "plan": "gold"})
    assert (by_id["2"].phone, by_id["2"].tz) == ("+442079460002", "Europe/London")
    assert (by_id["3"].phone, by_id["3"].tz) == ("+447911123456", "Europe/London")
    assert by_id["5"].tz == "Australia/Perth"
    assert all(r.state == "pending" and r.attempts == 0 and r.campaign_id == "c1" for r in out.records)
    errors = dict(out.errors)
    assert sorted(errors) == [5, 7, 8, 9, 10, 11, 12, 14]
    assert "time zone" in errors[5] and "tz column" in errors[5]
    assert "not a valid number" in errors[7]
    assert errors[8] == "missing phone number"
    assert "unknown time zone" in errors[9]
    assert errors[10] == "2 columns, the header has 5"
    assert errors[11] == "duplicate record id '1' (first on line 2)"
    assert errors[12] == "duplicate phone number +12125550101 (first on line 2)"
    assert "time zone" in errors[14]
    assert out.rejected == 8
    assert out.lines == [2, 3, 4, 6]


def test_defaults_delimiters_region_and_bom() -> None:
    text = "\ufeffTelephone;Region;Notes\n020 7946 0003;GB;x\n2125550104;;y\n"
    out = parse_list(text, "c1", "US", NOON_NY)
    assert [(r.record_id, r.phone, r.tz) for r in out.records] == [
        ("+442079460003", "+442079460003", "Europe/London"),
        ("+12125550104", "+12125550104", "America/New_York"),
    ]
    assert out.records[0].fields == {"notes": "x"}
    tabbed = parse_list("phone\tname\n+4930123456\tDora\n", "c1", "US", NOON_NY)
    assert tabbed.records[0].tz == "Europe/Berlin"
    assert parse_list("phone,region\n2125550101,ZZ\n", "c1", "US", NOON_NY).errors == [(2, "unknown region 'ZZ'")]


def test_quoted_fields_keep_their_line_numbers() -> None:
    text = 'phone,address\n+12125550101,"1 Main St\nApt 2"\n+1212,"x"\n'
    out = parse_list(text, "c1", "US", NOON_NY)
    assert out.records[0].fields == {"address": "1 Main St\nApt 2"}
    assert [line for line, _ in out.errors] == [4]


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("name,city\nAnn,NYC\n", "no phone column"),
    ("phone,phone\n1,2\n", "duplicate column"),
    ("phone,,x\n1,2,3\n", "empty column name"),
    ("phone\n\x00\n", "NUL"),
])
def test_unreadable_files_are_refused_as_a_whole(text: str, message: str) -> None:
    with pytest.raises(ListFormatError, match=message):
        parse_list(text, "c1", "US", NOON_NY)


def test_error_list_is_bounded_but_counts_stay_exact() -> None:
    text = "phone\n" + "bad\n" * (MAX_ERRORS + 50)
    out = parse_list(text, "c1", "US", NOON_NY)
    assert out.rejected == MAX_ERRORS + 50
    assert len(out.errors) == MAX_ERRORS


def test_dnc_normalisation_and_file_parsing() -> None:
    assert normalise("(415) 555-0100") == normalise("+1 415 555 0100") == normalise("0014155550100") == "+14155550100"
    assert normalise("020 7946 0000", "GB") == "+442079460000"
    assert normalise("123") is None and normalise("") is None and normalise("hello") is None
    plain = parse_dnc("# header comment\n415-555-0100\n\n+14155550100\nnope\n", GLOBAL, "US", 7.0, "file")
    assert [(e.phone, e.scope, e.reason, e.added_at) for e in plain.entries] == [("+14155550100", "*", "file", 7.0)]
    assert plain.duplicates == 1
    assert plain.errors == ((5, "not a valid phone number: 'nope'"),)
    csvish = parse_dnc("# exported\nname,phone,reason\nAnn,4155550101,asked\nBob,,\n", "c1", "US", 1.0)
    assert [(e.phone, e.reason) for e in csvish.entries] == [("+14155550101", "asked")]
    dnc = DncSet(["+14155550100"], ["+14155550101"])
    assert "+14155550100" in dnc and "+14155550101" in dnc and "+14155550102" not in dnc and len(dnc) == 2
