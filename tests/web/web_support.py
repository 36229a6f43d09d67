"""Shared constants and helpers for the web tests (``from tests.web.web_support import ...``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

USER = "archivist"
PASSWORD = "correct horse battery"

#: How many hits a page shows in tests, so pagination needs only a few documents.
PER_PAGE = 2

SEMI = "半導體"  # the term the facet and pagination documents share

#: Documents for facets and pagination: (title, author, foundation, series, date).
FACET_DOCS = [
    ("台灣半導體產業的地緣政治風險", "王小明", "財團法人兩岸交流遠景基金會", "遠景論壇", "2022-03-01"),
    ("美國晶片法案與台灣半導體供應鏈", "陳美玲", "財團法人兩岸交流遠景基金會", "遠景論壇", "2023-05-10"),
    ("日本經濟安全保障與半導體補助", "林志強", "台灣智庫", "政策評析", "2024-01-15"),
    ("歐盟晶片法與半導體自主", "王小明", "台灣智庫", "政策評析", "2024-06-01"),
]

XSS_TITLE = "<script>window.__xss=1;alert(1)</script>危險標題"
XSS_AUTHOR = "<img src=x onerror=\"window.__xss=2;alert(2)\">作者"
XSS_BODY = "惡意內文<script>window.__xss=3</script><img src=x onerror=\"window.__xss=4\"> 跨站測試段落"

REV_TITLE = "印太戰略下的台美經貿合作"
REV_AUTHOR = "張維德"
REV_V1 = [
    "第一段：台美於二〇二三年六月簽署二十一世紀貿易倡議首批協定，內容涵蓋海關程序與法規透明化。",
    "第二段：協定的第二階段談判將觸及農業、勞工與環境議題，雙方預計在年底前完成初步共識。",
    "第三段：部分學者擔憂協定缺乏關稅減讓，對台灣出口產業的實質幫助可能有限，值得持續觀察。",
    "第四段：整體而言，這項倡議象徵台美關係的制度化發展，也為未來的雙邊協定奠定基礎。",
]
REV_V2 = [
    REV_V1[0],
    # revised: a few words changed, most of the text kept
    "第二段：協定的第二階段談判將觸及農業、勞工與環境議題，雙方預計在明年年中前完成初步共識。",
    # the third paragraph is gone; this one says something else entirely
    "新增段落：另一方面，美國國會近期通過的相關法案，要求行政部門定期報告談判進度與成果。",
    REV_V1[3],
]


@dataclass
class Corpus:
    """What the session's instance holds, for tests to aim at."""

    instance: Path
    pdf_dir: Path
    seed_id: str = ""
    facet_ids: list[str] = field(default_factory=list)
    xss_id: str = ""
    rev_id: str = ""
    upload_pdf: Path | None = None
    rev_v2_pdf: Path | None = None
    by_path_id: str = ""
    #: A copy of ``instance`` as built, before any app opened it (what ``own_app`` copies).
    template: Path = field(default_factory=Path)



class PageWatch:
    """What a page did that it should not: dialogs, errors, CSP refusals, outside requests."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.external: list[str] = []

    def attach(self, page: Any) -> None:
        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        def on_console(msg: Any) -> None:
            if msg.type == "error":
                self.errors.append(msg.text)

        def on_request(req: Any) -> None:
            url = req.url
            if not (url.startswith(self.base) or url.startswith(("data:", "blob:", "about:"))):
                self.external.append(url)

        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("request", on_request)


def login(page: Any, user: str = USER, password: str = PASSWORD) -> None:
    """Sign in through the real form."""
    page.goto("/login")
    page.get_by_label("帳號").fill(user)
    page.get_by_label("密碼").fill(password)
    page.get_by_role("button", name="登入").click()
    page.wait_for_load_state()


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the current page."""
    # evaluate() runs over the DevTools protocol, outside the page's CSP (no inline script).
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]

