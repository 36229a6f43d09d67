"""The timeline's counts and its drawing: exact per period, gaps kept, months when the range is short."""

from __future__ import annotations

from archive.timeline import MONTHS_UP_TO, timeline, timeline_of_counts
from archive.web.timeline import BARS_HEIGHT, MAX_LABELS, drawing


def test_a_short_range_is_counted_by_month_with_its_gaps_and_the_undated_apart() -> None:
    t = timeline(["2024-01-15", "2024-06-01", "2024-06-30", "", "n.d."])
    assert t["unit"] == "month" and t["undated"] == 2 and t["dated"] == 3
    assert [b["period"] for b in t["bars"]] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    assert [b["count"] for b in t["bars"]] == [1, 0, 0, 0, 0, 2]


def test_a_long_range_or_a_date_without_its_month_is_counted_by_year() -> None:
    long = timeline(["2022-03-01", "2024-06-01"])  # 28 months
    assert long["unit"] == "year" and [(b["period"], b["count"]) for b in long["bars"]] == [
        ("2022", 1), ("2023", 0), ("2024", 1)]
    assert timeline(["2024", "2024-05-01"])["unit"] == "year"  # a year alone has no month to go in
    edge = [f"{2020 + (m // 12)}-{m % 12 + 1:02d}-01" for m in range(MONTHS_UP_TO)]
    assert timeline(edge)["unit"] == "month" and len(timeline(edge)["bars"]) == MONTHS_UP_TO
    assert timeline([*edge, "2022-01-01"])["unit"] == "year"


def test_nothing_dated_draws_nothing_and_year_counts_give_the_same_shape() -> None:
    assert timeline(["", ""]) == {"unit": "year", "bars": [], "undated": 2, "dated": 0}
    t = timeline_of_counts([("2021", 2), ("2019-05-01", 1), ("", 4), ("2020", 0)])
    assert [(b["period"], b["count"]) for b in t["bars"]] == [("2019", 1), ("2020", 0), ("2021", 2)]
    assert t["undated"] == 4 and t["dated"] == 3
    by_date = timeline_of_counts([("2024-01-15", 3), ("2024-03-01", 2)])
    assert by_date == timeline(["2024-01-15"] * 3 + ["2024-03-01"] * 2)


def test_the_drawing_scales_bars_to_the_peak_links_only_what_has_documents_and_labels_sparingly() -> None:
    t = timeline([f"{y}-01-01" for y in range(1990, 2030) for _ in range(1 + y % 3)])
    d = drawing(t, lambda p: f"/?year={p}")
    bars = d["bars"]
    assert len(bars) == 40 and d["unit"] == "year"
    peak = max(b["count"] for b in bars)
    for b in bars:
        assert abs(b["h"] - BARS_HEIGHT * b["count"] / peak) < 0.01
        assert b["y"] + b["h"] == BARS_HEIGHT or abs(b["y"] + b["h"] - BARS_HEIGHT) < 0.01
    assert sum(1 for b in bars if b["label"]) <= MAX_LABELS + 1
    assert bars[0]["label"] == "1990" and bars[-1]["label"] == "2029"
    gap = drawing(timeline(["2020-01-01", "2020-03-01"]), lambda p: f"/?q=date:{p}")["bars"]
    assert [b["href"] for b in gap] == ["/?q=date:2020-01", "", "/?q=date:2020-03"]
    assert gap[0]["spoken"] == "2020 年 1 月" and gap[0]["label"] == "2020" and gap[1]["label"] == ""
