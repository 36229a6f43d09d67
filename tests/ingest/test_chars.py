"""The shared character definitions in ingest.chars: what each class holds and the tables' use."""

from __future__ import annotations

import re
import unicodedata

from archive import analysis, query
from ingest import chars, metadata, normalize


def test_each_class_holds_ideographs_and_differs_by_purpose() -> None:
    for cls in (chars.HAN, chars.UNIT_CLASS, chars.JOINING_CLASS, chars.WORD_CLASS, chars.WIDE_CLASS):
        assert re.fullmatch(f"[{cls}]+", "中華民國")
    assert re.fullmatch(f"[{chars.HAN}]", "㐀")  # Extension A
    assert not re.fullmatch(f"[{chars.HAN_URO}]", "㐀")
    assert re.fullmatch(f"[{chars.UNIT_CLASS}]", "か") and not re.fullmatch(f"[{chars.HAN}]", "か")
    assert re.fullmatch(f"[{chars.JOINING_CLASS}]", "，") and not re.fullmatch(f"[{chars.UNIT_CLASS}]", "，")


def test_lookalikes_map_radicals_to_their_ideographs() -> None:
    assert chars.LOOKALIKES[0x2EA0] == "民"  # CJK Radicals Supplement
    assert chars.LOOKALIKES[0x2F08] == unicodedata.normalize("NFKC", "\u2f08")  # Kangxi: 人
    assert set(chars.SUPPLEMENT_LOOKALIKES) <= set(chars.LOOKALIKES)
    assert all(0x2E80 <= cp <= 0x2FD5 for cp in chars.LOOKALIKES)
    assert normalize.LOOKALIKES is chars.LOOKALIKES


def test_extraction_and_search_fold_a_lookalike_alike() -> None:
    text = "\u2ea0國"  # ⺠國, as a broken font map gives it
    assert normalize.fix_chars(text) == "民國"
    assert analysis.fold(text) == analysis.fold("民國")


def test_roc_years_convert_the_same_in_query_and_metadata() -> None:
    assert chars.roc_to_gregorian(112) == 2023
    assert query.parse_date("民國112年11月") == "2023-11"
    found = metadata.parse_date("中華民國112年11月30日")
    assert found is not None and found[0] == "2023-11-30"
