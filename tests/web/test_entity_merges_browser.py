"""Merging two institutions on the entity page in a real browser, and splitting them again."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.web.web_support import FACET_DOCS, login, run_axe

pytestmark = pytest.mark.browser


def test_an_archivist_merges_and_splits_on_the_entity_page(own_page: Any) -> None:
    page = own_page
    here, other = FACET_DOCS[2][2], FACET_DOCS[0][2]
    login(page)
    page.goto(f"/f/{quote(here)}")
    mine = int(page.locator("header strong").inner_text())
    page.get_by_label("併入此頁的其他名稱").fill(other)
    page.get_by_role("button", name="合併", exact=True).click()
    page.wait_for_load_state()
    assert page.locator(".entity-merged").inner_text().startswith(f"館員已合併的名稱：{here}、{other}")
    assert int(page.locator("header strong").inner_text()) > mine
    assert run_axe(page) == []
    page.get_by_role("button", name=f"把「{other}」分開").click()
    page.wait_for_load_state()
    assert page.locator(".entity-merged").count() == 0
    page.goto(f"/f/{quote(here)}")
    assert int(page.locator("header strong").inner_text()) == mine
