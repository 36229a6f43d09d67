"""Metadata with provenance: PDF Info/XMP fields, and fields read from the text.

Info fields are often junk (``about:blank`` from browser prints,
``Microsoft Word - x.doc``, a PC's user name) or mojibake (Big5 or UTF-8
bytes read as Latin-1), so they are repaired or rejected before use.  The
text rules here recognise the parts of a policy commentary — byline,
affiliation, photo caption and credit, editor's note, dateline, the
publisher's back matter and contact lines — in any of the genre's common
layouts (author before or after the title, 台 or 臺, full- or half-width
digits, 民國 years).  A field that is not found is absent, never guessed; each
value carries where it came from: ``pdf-info``, ``text`` or ``inferred``.

Why one module over 500 lines: it is a table of text rules (bylines, datelines,
series, names, organisations, Info/XMP repair) that layout calls as one
vocabulary (``rules``); most of its length is the regexes and word lists.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

from archive.models import Field

from .chars import HAN, HAN_URO, roc_to_gregorian
from .normalize import fix_chars
from .quality import charsets
from .quality import score as quality_score

# -- small helpers -----------------------------------------------------------

_FULLWIDTH_DIGITS = {ord("０") + i: str(i) for i in range(10)} | {ord("（"): "(", ord("）"): ")", ord("＋"): "+"}
_DASHES = {ord(c): "-" for c in "－‐‑‒–—―﹣"}


def ascii_digits(text: str) -> str:
    """Full-width digits, brackets and plus to ASCII (for parsing and phone numbers)."""
    return text.translate(_FULLWIDTH_DIGITS)


_HAN = re.compile(f"[{HAN}]")

# -- dates -------------------------------------------------------------------

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_NUM = r"[0-9０-９]{1,4}|[〇○零一二三四五六七八九十]{1,4}"
_DATE_YMD = re.compile(
    rf"(?P<roc>(?:中華)?民國\s*)?(?P<y>{_NUM})\s*年\s*(?P<m>{_NUM})\s*月(?:\s*(?P<d>{_NUM})\s*日)?"
)
_DATE_ISO = re.compile(r"(?<![0-9])(?P<y>(?:19|20)\d{2})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?![0-9])")
_DATE_LABEL = re.compile(r"(?:發布|发布|出版|發行|发行|刊登|刊出|撰稿|更新)?(?:日期|時間|时间)|Date|中華民國")


def numeral(text: str) -> int | None:
    """The value of a number in ASCII, full-width or Chinese digits (一一二, 十一, 二十三); None otherwise."""
    text = ascii_digits(text)
    if text.isdigit():
        return int(text)
    if all(c in _CN_DIGITS or c == "十" for c in text):
        if "十" in text:  # 十一, 二十, 三十一
            tens, _, ones = text.partition("十")
            return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
        value = 0
        for c in text:  # digit by digit: 一一二, 二〇二三
            value = value * 10 + _CN_DIGITS[c]
        return value
    return None


def parse_date(text: str) -> tuple[str, tuple[int, int]] | None:
    """The first date in ``text`` as ISO (``YYYY-MM-DD`` or ``YYYY-MM``) and its span.

    民國 years (and bare three-digit years, which only the ROC calendar has)
    are converted by adding 1911.
    """
    for regex in (_DATE_YMD, _DATE_ISO):
        for match in regex.finditer(text):
            year, month = numeral(match.group("y")), numeral(match.group("m"))
            day = numeral(match.group("d")) if match.group("d") else None
            if year is None or month is None:
                continue
            if match.groupdict().get("roc") or year < 1000:
                if not 1 <= year <= 200:
                    continue
                year = roc_to_gregorian(year)
            if not 1900 <= year <= 2100:
                continue
            try:
                if day is not None:
                    return dt.date(year, month, day).isoformat(), match.span()
                dt.date(year, month, 1)
                return f"{year:04d}-{month:02d}", match.span()
            except ValueError:
                continue
    return None


def dateline(text: str) -> str | None:
    """The ISO date if ``text`` is a dateline (a date with at most a label or a place)."""
    if len(text) > 32 or text.rstrip()[-1:] in ("。", "！", "？", "!", "?"):
        return None  # a sentence that mentions a date ("如中華民國 102 年 1 月 20 日。") is text
    found = parse_date(text)
    if not found:
        return None
    start, end = found[1]
    rest = _DATE_LABEL.sub("", text[:start] + text[end:])
    rest = re.sub(r"[\s:：,，、.。()（）\[\]【】-]", "", rest)
    return found[0] if len(rest) <= 4 else None


#: A publication date's own label (報告日期, 發布時間, 出版日期, Published): a dateline that
#: carries one says when the text was published, over any other date printed in it.
_PUBLICATION_LABEL = re.compile(r"報告|报告|發布|发布|發表|发表|出版|發行|发行|刊登|刊出|撰稿|撰寫|撰写|Published|Date",
                                re.IGNORECASE)


def is_publication_dateline(text: str) -> bool:
    """A dateline labelled as the publication's date (``報告日期：2021年03月05日``)."""
    return dateline(text) is not None and _PUBLICATION_LABEL.search(text) is not None


def pdf_date(value: str) -> str | None:
    """A PDF date string (``D:20231130120000+08'00'``) as ISO 8601, or None."""
    match = re.match(
        r"^\s*(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(?:([Zz])|([+-])(\d{2})'?(\d{2})?'?)?",
        value or "",
    )
    if not match:
        return None
    y, mo, d, h, mi, s, zulu, sign, th, tm = match.groups()
    try:
        date = dt.date(int(y), int(mo or 1), int(d or 1))
    except ValueError:
        return None
    if not 1900 <= date.year <= 2100:
        return None
    if h is None:
        return date.isoformat() if d else f"{date.year:04d}-{int(mo or 1):02d}" if mo else y
    try:
        time = dt.time(int(h), int(mi or 0), int(s or 0))
    except ValueError:
        return date.isoformat()
    iso = f"{date.isoformat()}T{time.isoformat()}"
    if zulu:
        return iso + "Z"
    if sign:
        return f"{iso}{sign}{th}:{tm or '00'}"
    return iso


# -- byline --------------------------------------------------------------------

_SURNAMES = (
    "李王張张劉刘陳陈楊杨黃黄趙赵吳吴周徐孫孙馬马朱胡郭何高林羅罗鄭郑梁謝谢宋唐許许韓韩馮冯鄧邓曹彭曾蕭萧肖田"
    "董袁潘于蔣蒋蔡余杜葉叶程蘇苏魏呂吕丁任沈姚盧卢姜崔鍾钟譚谭陸陆汪范金石廖賈贾夏韋韦付方白鄒邹孟熊秦邱江尹"
    "薛閻阎段雷侯龍龙史陶黎賀贺顧顾毛郝龔龚邵萬万錢钱嚴严覃武戴莫孔向湯汤常溫温康施文牛樊葛邢安齊齐易喬乔伍龐"
    "庞顏颜倪莊庄聶聂章魯鲁岳翟殷詹申歐欧耿關关蘭兰焦俞左柳甘祝包寧宁尚符舒阮柯紀纪梅童凌畢毕單单季裴霍涂成苗"
    "谷盛曲翁冉駱骆藍蓝路游辛靳管柴蒙鮑鲍華华喻祁蒲房滕屈饒饶解牟艾尤陽阳時时穆農农司卓古吉繆缪簡简車车項项連"
    "连麥麦褚婁娄竇窦戚岑景黨党宮宫費费卜冷晏席衛卫米柏宗瞿桂全佟應应臧閔闵苟鄔邬邊边卞姬師师和仇欒栾隋商刁沙"
    "榮荣巫寇桑郎甄叢丛仲虞敖鞏巩明佘池查麻苑遲迟鄺邝官封談谈匡鞠惠荊荆樂乐冀郁胥南班儲储原栗燕楚鄢勞劳奚皮粟"
    "冼藺蔺樓楼盤盘滿满聞闻位厲厉伊區区郜海闞阚花權权強强帥帅屠豆朴蓋盖練练廉禹井祖漆巴豐丰支卿國国狄平計计索宣"
    "晉晋相初門门雲云容敬來来扈晁芮都普闕阙浦戈伏鹿薄邸雍辜羊阿烏乌母裘修邰赫杭況况那宿鮮鲜印逯隆茹諸诸戰战慕危"
    "玉銀银亢懷怀賴赖洪"
)
_COMPOUND = "歐陽|欧阳|司馬|司马|諸葛|诸葛|上官|司徒|夏侯|皇甫|尉遲|尉迟|東方|东方|公孫|公孙|令狐|長孫|长孙|宇文|慕容|端木|張簡|张简|范姜"
_NAME = rf"(?:(?:{_COMPOUND})[{HAN_URO}]{{1,2}}|[{_SURNAMES}][{HAN_URO}]{{1,2}})"
_NAME_ONLY = re.compile(rf"^{_NAME}$")
_NOT_NAMES = {"前言", "結論", "结论", "摘要", "導言", "导言", "引言", "緒論", "绪论", "背景", "結語", "结语", "小結",
              "小结", "序言", "目錄", "目录", "附錄", "附录", "註釋", "注释", "說明", "说明", "總結", "总结", "展望",
              "分析", "建議", "建议", "評估", "评估", "方向", "觀察", "观察", "何去何從", "王道", "周邊", "周边"}
_BYLINE_PREFIX = r"(?:(?:文|作者|撰文|撰稿|執筆|执笔|By)\s*[／/:：]\s*|[◎●○]\s*|By\s+)"
#: A position printed before the name in a byline (分析師：王大同, 分析师 王大同, 記者／王大同):
#: the name is the author and the position the affiliation.
_ROLE_PREFIX = re.compile(r"^(?P<role>分析師|分析师|首席分析師|首席分析师|研究員|研究员|助理研究員|助理研究员|"
                          r"特約記者|特约记者|記者|记者|編輯|编辑|譯者|译者)\s*[／/:：]?\s*")
#: Names in Latin script as bylines print them (John Smith, J. R. Tolkien, Mary-Jane O'Neil).
_LATIN_NAME = r"(?:[A-Z][a-zA-Z'’-]+|[A-Z]\.)(?:\s+(?:[A-Z][a-zA-Z'’-]+|[A-Z]\.|(?:de|van|von|der|bin)\b)){1,4}"
#: Between two names of one byline.
_AND = r"\s*(?:[、，,]|\s與\s|\s和\s|與|和|\s+and\s+|\s*&\s*)\s*"
_AFFIL_WORDS = re.compile(
    r"研究員|研究员|研究長|研究长|研發長|研发长|教授|講師|讲师|主任|所長|所长|院長|院长|執行長|执行长|董事|理事|秘書長|秘书长|"
    r"顧問|顾问|博士|碩士|硕士|學者|学者|專家|专家|記者|记者|主編|主编|編輯|编辑|分析師|分析师|智庫|智库|大學|大学|學院|学院|"
    r"研究所|研究院|研究中心|基金會|基金会|協會|协会|學會|学会|委員|委员|議員|议员|大使|部長|部长|處長|处长|局長|局长|組長|组长|"
    r"教師|教师|律師|律师|醫師|医师|作家|總監|总监|經理|经理|助理|Professor|Fellow|Director|University|Institute"
)
_AFFIL_PREFIX = re.compile(r"^(?:現任|现任|現為|现为|作者為|作者为|作者係|作者系)\s*")


def is_affiliation(text: str) -> bool:
    """A short line naming a position or an institution (新台灣國策智庫研發長)."""
    return len(text) <= 50 and text[-1:] != "。" and bool(
        _AFFIL_WORDS.search(text) or _AFFIL_PREFIX.match(text)
    )


def is_byline_prefixed(text: str) -> bool:
    """Starts with a byline label such as 文／ or 作者："""
    return re.match(_BYLINE_PREFIX, text.strip()) is not None


def parse_byline(text: str) -> tuple[str, str | None] | None:
    """``(author, affiliation or None)`` if ``text`` is a byline, else None.

    Accepts ``李明峻``, ``文／李明峻``, ``◎李明峻``, ``作者：李明峻（新台灣國策智庫研發長）``,
    ``李明峻／新台灣國策智庫研發長``, a name and its position set apart by a full-width space
    (``王大同　亞洲研究中心研究員``), several names (``王大同、李小華``, joined with 、), and
    Latin names after ``By``.
    """
    text = text.strip()
    role = _ROLE_PREFIX.match(text)
    if role:
        rest = parse_byline(text[role.end():]) if role.end() < len(text) else None
        if rest is None or rest[0] == text:
            return None
        return rest[0], rest[1] or role.group("role")
    prefixed = re.match(_BYLINE_PREFIX, text)
    body = text[prefixed.end():] if prefixed else text
    one = _LATIN_NAME if prefixed and re.match(r"By\b", text) else _NAME
    match = re.match(
        rf"^(?P<names>{one}(?:{_AND}{one}){{0,5}})\s*(?:[（(](?P<a1>[^）)]{{2,50}})[）)]|"
        rf"[／/|｜]\s*(?P<a2>.{{2,50}})|[\u3000]+\s*(?P<a3>\S.{{1,49}}))?$",
        body,
    )
    if not match:
        return None
    names = [n for n in re.split(_AND, match.group("names")) if n]
    affiliation = match.group("a1") or match.group("a2") or match.group("a3")
    if any(n in _NOT_NAMES for n in names) or (affiliation and not is_affiliation(affiliation)):
        return None
    if affiliation:
        affiliation = _AFFIL_PREFIX.sub("", affiliation).strip()
    return "、".join(names), affiliation


#: An author's note closing the text: （作者為某大學政治學系副教授張小文）, 本文作者張小文為…,
#: （張小文，某大學政治學系副教授）.
_AUTHOR_NOTE = re.compile(
    rf"^[（(]?\s*(?:(?:本文)?作者(?:為|为|係|系|是)\s*(?P<a1>[^）)]{{2,60}}?)(?P<n1>{_NAME})"
    rf"|本文作者\s*(?P<n2>{_NAME})\s*(?:為|为|係|系|是)\s*(?P<a2>[^）)。]{{2,60}})"
    rf"|(?P<n3>{_NAME})\s*[，,]\s*(?P<a3>[^）)]{{2,60}}))\s*[）)]?\s*[。.]?$"
)


def author_note(text: str) -> tuple[str, str] | None:
    """``(author, affiliation)`` from a closing author's note, else None."""
    text = text.strip()
    if len(text) > 90:
        return None
    bracketed = text[:1] in "（(" and text.rstrip("。.")[-1:] in "）)"
    match = _AUTHOR_NOTE.match(text)
    if not match:
        return None
    name = match.group("n1") or match.group("n2") or match.group("n3")
    affiliation = (match.group("a1") or match.group("a2") or match.group("a3") or "").strip()
    if match.group("n3") and not bracketed:
        return None  # "張小文，某大學…" unbracketed is a sentence, not a note
    if name in _NOT_NAMES or not is_affiliation(affiliation):
        return None
    return name, affiliation


# -- caption, note, series ---------------------------------------------------

#: A photo credit's opening, ``（圖片來源：``: the credit runs from it to the closing bracket that ends
#: the text, with no closing bracket between (``split_caption``).
_CREDIT_HEAD = re.compile(
    r"[（(]\s*(?:圖片來源|图片来源|圖片提供|图片提供|照片來源|照片来源|圖片|图片|圖源|图源|圖|图|Photo(?:\s*credit)?|Image|Source)"
    r"\s*[:：／/]\s*",
    re.IGNORECASE,
)
#: The closing brackets a credit ends with.
CREDIT_CLOSERS = "）)"
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()（）「」，。]+")
_NOTE = re.compile(r"^[【\[]?(?:編按|編者按|编按|编者按|編註|编注|編輯說明|编辑说明|Editor'?s\s+note)[】\]]?\s*[:：]?\s*(?P<text>.+)$", re.IGNORECASE)
_SERIES = re.compile(
    r"^[^\s，。、：:；;！？!?()（）]{2,16}(?:論壇|论坛|評論|评论|觀察|观察|專論|专论|快評|快评|簡訊|简讯|週報|周报|通訊|通讯|"
    r"評析|评析|快報|快报|專欄|专栏|視點|视点|Forum|Commentary|Brief|Insight|Perspectives?)$|^(?:論壇|论坛)$"
)


def _credit(text: str, start: int, stop: int) -> tuple[int, str] | None:
    """The credit that ``text[start:stop]`` (no closing bracket in it) ends with, before a closing
    bracket at ``stop``: where its opening starts and the credit, or None."""
    head = _CREDIT_HEAD.search(text, start, stop)
    if head is None:
        return None
    credit = text[head.end():stop].strip().strip("<>").strip()
    return (head.start(), credit) if credit else None


def split_caption(text: str) -> tuple[str, str] | None:
    """``(caption, credit)`` if ``text`` is a photo caption ending in its credit.

    The credit opens with ``（圖片來源：`` (or Photo:, Source: ...) and runs to the closing bracket
    that ends the text, with no other closing bracket in it: so only the text after the last
    closing bracket but one is searched (the time is that part's length, not the text's).
    """
    end = len(text.rstrip())
    if not end or text[end - 1] not in CREDIT_CLOSERS:
        return None
    start = max(text.rfind(ch, 0, end - 1) for ch in CREDIT_CLOSERS) + 1
    found = _credit(text, start, end - 1)
    if found is None:
        return None
    at, credit = found
    caption = text[:at].strip()
    if not caption:
        return None
    url = _URL.search(credit)
    return caption, (url.group(0).rstrip(".,") if url else credit)


def ends_in_credit(between: str, bracket_before: bool) -> bool:
    """Is a text a caption ending in its credit (``split_caption`` not None), given only
    ``between``, its part between its last two closing brackets, when it ends with a closing
    bracket?  ``bracket_before``: a closing bracket precedes ``between`` (else it is the text's start)."""
    found = _credit(between, 0, len(between))
    return found is not None and (bracket_before or bool(between[:found[0]].strip()))


def note_text(text: str) -> str | None:
    """The editor's note without its 編按： label, if ``text`` is one."""
    match = _NOTE.match(text)
    return match.group("text").strip() if match else None


def is_series(text: str) -> bool:
    """A series name such as 遠景論壇 (short, no punctuation, a series word at the end; never a
    licence line)."""
    return bool(_SERIES.match(text)) and not LICENCE.search(text)


# -- back matter -----------------------------------------------------------

_FOUNDATION = re.compile(
    r"^(?:財團法人|财团法人|社團法人|社团法人)?[^\s，。、：:]{2,30}(?:基金會|基金会|研究院|研究所|智庫|智库|學會|学会|"
    r"協會|协会|研究中心|學系|学系|出版社|股份有限公司)$"
)
#: An organisation's name in English: title-case words, one of them what organisations are called.
_ORG_EN = re.compile(r"^(?:[A-Z][A-Za-z&.'-]*|of|for|and|the|on|in|de)(?:\s+(?:[A-Z][A-Za-z&.'-]*|of|for|and|the|on|in|de)){1,10}$")
_ORG_EN_WORD = re.compile(r"\b(?:Foundation|Institute|Institution|Center|Centre|Council|University|Think Tank|"
                          r"Academy|Forum)\b")
_PHONE = re.compile(r"(?:Tel|TEL|Phone|電話|电话|電\s話)\s*[.:：]?\s*(?P<v>[+(]?\d[\d()\s+\-－–]{5,}\d)")
_FAX = re.compile(r"(?:Fax|FAX|傳真|传真)\s*[.:：]?\s*(?P<v>[+(]?\d[\d()\s+\-－–]{5,}\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ADDRESS = re.compile(
    r"^(?:(?:地址|通訊處|通讯处|Add(?:ress)?)\s*[:：]\s*)?(?P<v>.{0,12}(?:市|縣|县|省|區|区).{0,30}(?:路|街|道|巷|弄).{0,20}(?:號|号|樓|楼)(?:之\s*\d+)?)$"
)


#: A public body or institution that issues a document under its own name: 交通部臺灣鐵路管理局,
#: 經濟部, 國家發展委員會, 考選部, 國立臺灣大學, 臺北市政府.
_ISSUER = re.compile(
    r"^[^\s，。、：:；;（）()「」]{2,24}(?:部|局|署|院|委員會|委员会|大學|大学|學院|学院|政府|公所|"
    r"辦公室|办公室|銀行|银行|總會|总会|公司)$"
)


#: Words a name does not hold but a title does (兩岸關係的新局 is a title that ends in 局).
_NOT_IN_NAMES = re.compile(r"[的之與与和及在是了將将對对把被從从向為为嗎吗呢？?！!]|如何|為何|为何")


#: Words that end like an institution's name and are not one (變局 "a changing situation", 全部 "all").
_COMMON_WORD_TAILS = frozenset(
    ["變局", "变局", "新局", "僵局", "格局", "大局", "政局", "時局", "时局", "危局", "困局", "佈局", "布局", "結局", "结局", "開局", "开局", "棋局", "騙局", "骗局", "殘局", "残局", "全部", "內部", "内部", "外部", "局部", "東部", "东部", "西部", "南部", "北部", "中部", "頭部", "头部", "細部", "细部", "幹部", "干部", "庭院"]
)


def is_issuer(text: str) -> bool:
    """A line that is only the name of the body that issues the document (a ministry, a bureau,
    a university, a publisher): printed above a title, it is the publisher, not the title."""
    text = text.strip()
    if _NOT_IN_NAMES.search(text) or text[-2:] in _COMMON_WORD_TAILS:
        return False
    return is_foundation(text) or bool(_ISSUER.match(text))


def is_foundation(text: str) -> bool:
    """A publisher's name line: 財團法人兩岸交流遠景基金會, ○○研究院, ... Foundation."""
    if _ORG_EN.match(text) and _ORG_EN_WORD.search(text):
        return len(text) <= 90
    return len(text) <= 40 and bool(_FOUNDATION.match(text))


def phone_form(number: str) -> str:
    """Phone and fax numbers are kept as printed, with ASCII digits, '-' for dashes, single spaces."""
    return re.sub(r"\s+", " ", ascii_digits(number).translate(_DASHES)).strip()


def contact_fields(text: str) -> dict[str, str]:
    """Phone, fax, website, e-mail and address found in one back-matter line."""
    found: dict[str, str] = {}
    digits = ascii_digits(text)
    for key, regex in (("phone", _PHONE), ("fax", _FAX)):
        match = regex.search(digits)
        if match:
            found[key] = phone_form(match.group("v"))
    email = _EMAIL.search(text)
    if email:
        found["email"] = email.group(0)
    url = _URL.search(text.replace("<", " ").replace(">", " "))
    if url and not email:
        found["website"] = url.group(0).rstrip(".,/") if url.group(0).count("/") > 3 else url.group(0).rstrip(".,")
    address = _ADDRESS.match(text)
    if address and not found:
        found["address"] = address.group("v").strip()
    return found


def is_contact(text: str) -> bool:
    return bool(contact_fields(text))


# -- Info repair -------------------------------------------------------------

_JUNK_TITLE = re.compile(
    r"^(?:about:blank|untitled\d*|無標題|无标题|未命名|未命名文件|document\d*|文件\d*|new document|powerpoint 簡報|"
    r"powerpoint presentation|slide \d+|\W*)$|^microsoft (?:word|powerpoint|excel) - |^https?://|^file:|"
    r"\.(?:docx?|pdf|odt|rtf|txt|pptx?|xlsx?|indd|pages|html?|tex|dvi|e?ps|wps|hwp)$|^[a-z]:\\|^/|\\",
    re.IGNORECASE,
)


def repair_mojibake(text: str, raw: bytes | None = None) -> str:
    """Undo Big5/cp950 or UTF-8 bytes that were read as Latin-1 (or cp1252/PDFDocEncoding)."""
    if _HAN.search(text) or not any(ord(c) > 127 for c in text):
        return text
    candidates: list[bytes] = []
    if raw and not raw.startswith((b"\xfe\xff", b"\xff\xfe")):
        candidates.append(raw)
    for encoding in ("latin-1", "cp1252"):
        with contextlib.suppress(UnicodeEncodeError):
            candidates.append(text.encode(encoding))
    for data in candidates:
        for codec in ("utf-8", "cp950", "gb18030"):
            try:
                fixed = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if len(_HAN.findall(fixed)) >= 2 and quality_score(fixed).score >= 0.9:
                return fixed
    return text


def _unhex(text: str) -> str:
    """Some producers store a hex string's digits as the text itself: decode it."""
    match = re.fullmatch(r"<?([0-9A-Fa-f\s]{4,})>?", text.strip())
    if not match:
        return text
    digits = re.sub(r"\s", "", match.group(1))
    if len(digits) % 2:
        return text
    data = bytes.fromhex(digits)
    for codec in ("utf-16" if data.startswith((b"\xfe\xff", b"\xff\xfe")) else "utf-8", "cp950", "latin-1"):
        try:
            return repair_mojibake(data.decode(codec))
        except UnicodeDecodeError:
            continue
    return text


#: A licence or copyright line: never a title or a series.
LICENCE = re.compile(r"版權所有|版权所有|翻印必究|翻印必糾|著作權所有|著作权所有|All rights reserved|Copyright|©|"
                     r"\bCC[ -]BY\b|創用\s*CC|创用\s*CC|授權條款|授权条款", re.IGNORECASE)
#: A journal's masthead: its name, then volume and issue (國策研究季刊 第12卷第3期, Vol. 12 No. 3).
MASTHEAD = re.compile(r"^(?P<name>.{0,24}?)\s*(?:第\s*[0-9０-９一二三四五六七八九十百]+\s*卷\s*(?:第\s*)?"
                      r"[0-9０-９一二三四五六七八九十百]+\s*期|Vol(?:ume)?\.?\s*\d+\s*[,，]?\s*(?:No|Issue)\.?\s*\d+)",
                      re.IGNORECASE)


#: A licence or registration number line (an analyst's 執業證書編號, a firm's 許可證號).
CERTIFICATE = re.compile(r"(?:執業證書編號|执业证书编号|證書編號|证书编号|登記證號|登记证号|許可證號|许可证号|"
                         r"營業執照|营业执照|證照字號|证照字号)\s*[:：]?")


def not_a_title(text: str) -> bool:
    """A line that can never be a title: a licence line, a journal masthead, a URL, a
    licence or registration number."""
    return bool(LICENCE.search(text) or MASTHEAD.match(text) or CERTIFICATE.search(text)
                or re.match(r"^(?:https?://|www\.)", text))


def masthead_name(text: str) -> str | None:
    """The journal's name in a masthead line (國策研究季刊 of 國策研究季刊 第12卷第3期)."""
    match = MASTHEAD.match(text)
    name = match.group("name").strip(" 　,，:：") if match else ""
    return name if 2 <= len(name) <= 24 else None


def clean_info_title(text: str) -> str | None:
    """A usable Info title, or None for junk (about:blank, file names, Word's prefix, Untitled,
    a licence line, a masthead)."""
    text = re.sub(r"\s+", " ", _unhex(text)).strip()
    if (len(text) < 2 or _JUNK_TITLE.search(text) or not_a_title(text)
            or quality_score(text).score < 0.75):
        return None
    return text


#: Words that name a computer account rather than a person (Windows and Office defaults).
_ACCOUNT_WORDS = re.compile(r"使用者|用戶|用户|管理員|管理员|電腦|电脑|"
                            r"\b(?:[Uu]ser|[Oo]wner|[Aa]dmin(?:istrator)?|[Gg]uest|Windows|"
                            r"Microsoft|[Uu]nknown|[Dd]efault)\b")
#: Endings of an organisation's name: institutes, foundations, universities, ministries, firms.
_ORG_END = re.compile(
    r"(?:會|会|院|所|學|学|部|局|處|处|署|中心|大學|大学|基金會|基金会|研究院|智庫|智库|協會|协会|"
    r"學會|学会|公司|集團|集团|辦公室|办公室|委員會|委员会|小組|小组|論壇|论坛|社)$"
)
_ORG_WORD = re.compile(
    r"\b(?:Institute|Foundation|University|College|Cent(?:er|re)|Council|Association|Society|"
    r"Ministry|Office|Bank|Research|Press|Agency|Forum|Academy|Committee|Department|Group|"
    r"Corporation|Company|Inc|Ltd|LLC|Trust|Fund|School)\b", re.IGNORECASE)
_HAN_NAME = re.compile(f"[{HAN_URO}\u3400-\u4dbf]{{2,4}}|[{HAN_URO}]{{1,8}}(?:[·‧・][{HAN_URO}]{{1,8}})+")
_HANGUL_NAME = re.compile(r"[\uac00-\ud7af]{2,4}")
_LATIN_PART = re.compile(r"(?:[A-Z][a-zA-Z'’-]+|[A-Z]\.|(?:de|da|del|van|von|der|den|la|le|bin|al)\b)")
_SEPARATORS = re.compile(r"\s*(?:[、,，;；&]|\band\b|與|和)\s*")


def looks_like_name(text: str) -> bool:
    """Whether an Info Author reads as people's or organisations' names, as a byline would
    print them, rather than the account that saved the file (``user00``, ``win7 2007``, a
    login, a product, a sentence).  By orthography, not by a list of names: every part
    between separators (、 , and) is a Han name of 2-4 characters (or a transliteration with
    a middle dot), a Hangul name, two to five capitalised Latin words, or an organisation
    (its name ends as institutes, foundations, universities and firms do)."""
    text = text.strip()
    if not text or len(text) > 120 or re.search(r"[0-9０-９@/\\_|<>#%=~:]", text):
        return False
    if _ACCOUNT_WORDS.search(text) or re.search(r"[\u3040-\u30ff。！？]", text):
        return False
    parts = [p for p in _SEPARATORS.split(text) if p]
    return bool(parts) and all(_name_part(p) for p in parts)


def _name_part(part: str) -> bool:
    part = part.strip()
    compact = re.sub(r"\s+", "", part)
    if _HAN_NAME.fullmatch(compact) or _HANGUL_NAME.fullmatch(compact):
        return True
    if re.fullmatch(f"[{HAN_URO}（）()]{{3,30}}", compact) and _ORG_END.search(compact):
        return True
    words = part.split()
    if _ORG_WORD.search(part) and all(re.fullmatch(r"[A-Za-z'’&.-]+", w) for w in words):
        return len(words) >= 2
    return 2 <= len(words) <= 5 and all(_LATIN_PART.fullmatch(w) for w in words) and any(
        len(w) > 2 and w[0].isupper() for w in words)


def clean_info_author(text: str) -> str | None:
    """An Info author fit for the author field (a name, see :func:`looks_like_name`), else None."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) < 2 or quality_score(text).score < 0.75 or not looks_like_name(text):
        return None
    return text


def _info_text(info: dict[str, Any], key: str) -> str | None:
    """An Info or XMP value as text: mojibake repaired, controls, noncharacters and private-use
    code points dropped (they make pages invalid HTML and feeds invalid XML)."""
    value = info.get(key)
    if isinstance(value, dict):
        return fix_chars(repair_mojibake(value.get("text") or "", value.get("bytes")))
    if isinstance(value, str):
        return fix_chars(repair_mojibake(value))
    return None


def info_fields(info: dict[str, Any]) -> dict[str, Field]:
    """Fields from the Info dictionary, falling back to XMP, with junk rejected."""
    fields: dict[str, Field] = {}
    for text in (_info_text(info, "Title"), _info_text(info, "xmp_title")):
        title = clean_info_title(text) if text else None
        if title:
            fields["title"] = Field(title, "pdf-info")
            break
    for text in (_info_text(info, "Author"), _info_text(info, "xmp_author")):
        if not text or not text.strip():
            continue
        fields.setdefault("pdf_author", Field(re.sub(r"\s+", " ", text).strip()[:200], "pdf-info"))
        author = clean_info_author(text)
        if author:
            fields["author"] = Field(author, "pdf-info")
            break
    for key, info_key, xmp_key in (("pdf_created", "CreationDate", "xmp_created"),
                                   ("pdf_modified", "ModDate", "xmp_modified")):
        raw = _info_text(info, info_key)
        value = pdf_date(raw) if raw else None
        if not value and isinstance(info.get(xmp_key), str):
            value = info[xmp_key]
        if value:
            fields[key] = Field(value, "pdf-info")
    producer = _info_text(info, "Producer") or info.get("xmp_producer")
    if producer and producer.strip():
        fields["producer"] = Field(re.sub(r"\s+", " ", producer).strip(), "pdf-info")
    return fields


# -- script and language -----------------------------------------------------

_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_ENGLISH = {"the", "and", "of", "to", "in", "is", "for", "that", "with", "on", "as", "are", "this", "by"}


def script_and_language(text: str) -> dict[str, Field]:
    """Traditional/Simplified/mixed and a BCP 47 language tag, inferred from the characters."""
    fields: dict[str, Field] = {}
    han = _HAN.findall(text)
    _, big5, gb = charsets()
    trad = sum(1 for c in han if c in big5 and c not in gb)
    simp = sum(1 for c in han if c in gb and c not in big5)
    script = None
    if trad + simp >= 5:
        minority = min(trad, simp) / (trad + simp)
        script = "mixed" if minority >= 0.2 else "Traditional" if trad > simp else "Simplified"
        fields["script"] = Field(script, "inferred")
    kana, hangul = len(_KANA.findall(text)), len(_HANGUL.findall(text))
    words = _LATIN_WORD.findall(text)
    latin = sum(len(w) for w in words)
    letters = len(han) + kana + hangul + latin
    if not letters:
        return fields
    language = None
    if kana >= 0.1 * (len(han) + kana) and kana >= 20:
        language = "ja"
    elif hangul >= 0.3 * letters:
        language = "ko"
    elif len(han) >= 0.3 * letters:
        language = {"Traditional": "zh-Hant", "Simplified": "zh-Hans"}.get(script or "", "zh")
    elif words and sum(1 for w in words if w.lower() in _ENGLISH) >= 0.05 * len(words):
        language = "en"
    if language:
        fields["language"] = Field(language, "inferred")
    return fields
