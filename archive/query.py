"""The researcher's query syntax → a small AST; dates (incl. 民國); regional vocabulary.

Syntax: terms are ANDed; ``"quoted phrases"`` (also “…” and 「…」); ``OR``;
``NOT term`` / ``-term``; parentheses; ``title:`` ``author:`` ``foundation:``
``series:`` (a word or a quoted phrase); ``date:2023``, ``date:2023-11``,
``date:2023-11-30``, ``date:2023-01..2023-06`` and ``date:[2023-01 TO 2023-12]`` (an empty
end or ``*`` for an open one) and
民國 years (``date:民國112年``, ``date:民國112年11月``).

A query that cannot be parsed is never an error: it is searched as plain text
(its words ANDed) with a short notice.  Nothing here knows about Whoosh; the
AST is compiled by :mod:`archive.search`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field
from functools import cached_property

from archive import analysis, vocabulary
from archive.notices import Notice
from ingest.chars import roc_to_gregorian

FIELDS = ("title", "author", "foundation", "series")

# --------------------------------------------------------------------------
# AST


@dataclass(frozen=True)
class Form:
    """One spelling of a term (as typed, or a regional alternative), folded once.

    Everything the index and the highlighter need comes from here, so a term is folded
    and cut exactly once, when the :class:`Term` is made: ``folded`` text, the recall
    field's ``tokens`` (:func:`archive.analysis.query_bigrams`), the ranking field's
    ``words`` and the highlight ``pattern`` (both computed on first use: jieba and a
    regex compile are only paid for when a search needs them).
    """

    text: str
    folded: str
    tokens: tuple[tuple[str, int, str], ...]

    @classmethod
    def of(cls, text: str) -> Form:
        folded = analysis.fold(text)
        return cls(text, folded, tuple(analysis.query_bigrams(folded)))

    @cached_property
    def words(self) -> tuple[str, ...]:
        return tuple(analysis.query_words(self.folded))

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        return analysis.match_pattern(self.folded)


@dataclass(frozen=True)
class Term:
    """Text that must occur (a substring after folding); ``field`` None means anywhere.

    ``alts`` are regional-vocabulary alternatives searched in place (OR).  ``forms``
    holds the term and each alternative folded (:class:`Form`, made once here);
    ``form`` is the term's own.
    """

    text: str
    field: str | None = None
    phrase: bool = False
    alts: tuple[str, ...] = ()
    forms: tuple[Form, ...] = dataclass_field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.forms) != 1 + len(self.alts):
            own = self.forms[0] if self.forms else Form.of(self.text)
            object.__setattr__(self, "forms", (own, *(Form.of(a) for a in self.alts)))

    @property
    def form(self) -> Form:
        return self.forms[0]

    def with_alts(self, alts: tuple[str, ...]) -> Term:
        """The same term with regional alternatives (its own form is not folded again)."""
        return Term(self.text, self.field, self.phrase, alts, (self.form,))


@dataclass(frozen=True)
class DateRange:
    """Documents dated within ``[lo, hi]``, compared as ISO prefixes ("" = open)."""

    lo: str
    hi: str


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Term | DateRange | And | Or | Not


@dataclass
class Parsed:
    """A parsed query with what the user should be told about it."""

    node: Node | None
    notices: list[Notice] = field(default_factory=list)
    also_searched: list[dict[str, object]] = field(default_factory=list)


class QuerySyntaxError(ValueError):
    """Raised inside the parser only; :func:`parse` turns it into a notice."""


# --------------------------------------------------------------------------
# Dates


_ROC = re.compile(r"^民國\s*(\d{1,3})\s*年(?:\s*(\d{1,2})\s*月)?(?:\s*(\d{1,2})\s*日)?$")
_ISO = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")


def parse_date(value: str) -> str:
    """An ISO prefix (``2023``, ``2023-11``, ``2023-11-30``) from ISO or 民國 input.

    民國 year N is N + 1911.  Raises :class:`QuerySyntaxError` if not a date.
    """
    v = value.strip()
    m = _ROC.match(v)
    if m:
        y, mo, d = roc_to_gregorian(int(m.group(1))), m.group(2), m.group(3)
    else:
        m = _ISO.match(v)
        if not m:
            raise QuerySyntaxError(f"not a date: {value}")
        y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    out = f"{y:04d}"
    if mo:
        if not 1 <= int(mo) <= 12:
            raise QuerySyntaxError(f"not a month: {value}")
        out += f"-{int(mo):02d}"
        if d:
            if not 1 <= int(d) <= 31:
                raise QuerySyntaxError(f"not a day: {value}")
            out += f"-{int(d):02d}"
    return out


def date_clause(value: str) -> DateRange:
    """``2023`` / ``2023-01..2023-06`` / ``[2023-01 TO 2023-12]`` / ``民國112年`` → a
    :class:`DateRange` (``..`` and ``*`` leave an end open)."""
    v = value.strip()
    if v.startswith("[") and v.endswith("]"):
        parts = re.split(r"\s+TO\s+", v[1:-1].strip(), flags=re.IGNORECASE)
        if len(parts) != 2:
            raise QuerySyntaxError("a date range needs [FROM TO UNTIL]")
        lo = "" if parts[0].strip() in ("*", "") else parse_date(parts[0])
        hi = "" if parts[1].strip() in ("*", "") else parse_date(parts[1])
        if lo and hi and lo > hi:
            lo, hi = hi, lo
        return DateRange(lo, hi)
    if ".." in v:  # 2023-01..2023-06, 2023.., ..民國112年
        lo_text, _sep, hi_text = v.partition("..")
        lo = parse_date(lo_text) if lo_text.strip() else ""
        hi = parse_date(hi_text) if hi_text.strip() else ""
        if not (lo or hi):
            raise QuerySyntaxError("a date range needs a start or an end: date:2023-01..2023-06")
        if lo and hi and lo > hi:
            lo, hi = hi, lo
        return DateRange(lo, hi)
    d = parse_date(v)
    return DateRange(d, d)


# --------------------------------------------------------------------------
# Lexer and parser

_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』"}
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<lp>\() | (?P<rp>\)) |
      (?P<field>(?:title|author|foundation|series|date)): |
      (?P<quote>["“「『]) |
      (?P<minus>-(?=\S)) |
      (?P<word>[^\s()"“”「」『』]+)
    )""",
    re.VERBOSE | re.IGNORECASE,
)


def _lex(q: str) -> list[tuple[str, str]]:
    """Tokens as ``(kind, text)``; kinds: lp rp field phrase word range or and not minus."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(q)
    while i < n:
        if q[i].isspace():
            i += 1
            continue
        m = _TOKEN.match(q, i)
        if not m or m.end() == i:
            raise QuerySyntaxError(f"unexpected {q[i]!r}")
        kind = m.lastgroup or ""
        if kind == "quote":
            close = _QUOTES[m.group("quote")]
            j = q.find(close, m.end())
            if j < 0:
                raise QuerySyntaxError("unbalanced quotation mark")
            out.append(("phrase", q[m.end() : j]))
            i = j + 1
            continue
        if kind == "field":
            name = m.group("field").lower()
            i = m.end()
            if name == "date" and q.startswith("[", i):
                j = q.find("]", i)
                if j < 0:
                    raise QuerySyntaxError("unbalanced [ in a date range")
                out.append(("field", "date"))
                out.append(("range", q[i : j + 1]))
                i = j + 1
                continue
            out.append(("field", name))
            continue
        text = m.group(kind)
        if kind == "word" and text in ("OR", "|", "||"):
            kind = "or"
        elif kind == "word" and text in ("AND", "&&", "+"):
            kind = "and"
        elif kind == "word" and text == "NOT":
            kind = "not"
        out.append((kind, text))
        i = m.end()
    return out


#: Parentheses and NOTs nested deeper than this are a syntax error (searched as plain text).
MAX_DEPTH = 16


class _Parser:
    """Recursive descent: or := and (OR and)* ; and := unary+ ; unary := (NOT|-) unary | atom."""

    def __init__(self, toks: list[tuple[str, str]]) -> None:
        self.toks = toks
        self.i = 0
        self.depth = 0  # open parentheses and NOTs: bounded, so no query can exhaust the stack

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(f"nested more than {MAX_DEPTH} levels deep")

    def peek(self) -> str | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node | None:
        if not self.toks:
            return None
        node = self.or_expr()
        if self.i != len(self.toks):
            raise QuerySyntaxError("unbalanced parenthesis")
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.peek() == "or":
            self.take()
            if self.peek() in (None, "rp", "or"):
                raise QuerySyntaxError("OR needs something on both sides")
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts: list[Node] = []
        while self.peek() not in (None, "rp", "or"):
            if self.peek() == "and":
                self.take()
                continue
            parts.append(self.unary())
        if not parts:
            raise QuerySyntaxError("empty group")
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        if self.peek() in ("not", "minus"):
            self.take()
            if self.peek() in (None, "rp", "or", "and"):
                raise QuerySyntaxError("NOT needs a term after it")
            self._deeper()
            node = Not(self.unary())
            self.depth -= 1
            return node
        return self.atom()

    def atom(self) -> Node:
        kind, text = self.take()
        if kind == "lp":
            self._deeper()
            node = self.or_expr()
            if self.peek() != "rp":
                raise QuerySyntaxError("unbalanced parenthesis")
            self.take()
            self.depth -= 1
            return node
        if kind == "rp":
            raise QuerySyntaxError("unbalanced parenthesis")
        if kind == "field":
            if self.peek() not in ("word", "phrase", "range"):
                raise QuerySyntaxError(f"{text}: needs a value")
            vkind, value = self.take()
            if text == "date":
                return date_clause(value)
            if vkind == "range":
                raise QuerySyntaxError(f"{text}: takes no range")
            return Term(value, field=text, phrase=vkind == "phrase")
        if kind == "range":
            raise QuerySyntaxError("a range needs date:")
        if kind in ("and", "or", "not", "minus"):
            raise QuerySyntaxError(f"{text} in the wrong place")
        return Term(text, phrase=kind == "phrase")


def plain_text(q: str) -> Node | None:
    """The fallback reading: every word of ``q`` (syntax characters dropped), ANDed."""
    words = [w for w in re.split(r"[\s()\"“”「」『』\[\]]+", q) if w and w not in ("OR", "AND", "NOT")]
    words = [w.lstrip("-:") or w for w in words]
    terms = tuple(t for t in (Term(w) for w in words) if t.form.tokens)
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else And(terms)


# --------------------------------------------------------------------------
# Regional vocabulary


def regional_alternatives(text: str, limit: int = 4, *, folded: str | None = None) -> list[str]:
    """Other-vocabulary forms of ``text`` (软件 → 軟體, 特朗普 → 川普), whole term or a part of
    it, from :mod:`archive.vocabulary` (OpenCC's and MediaWiki's tables, and the archive's
    aliases when the service has installed them).  ``folded`` is accepted for callers that
    hold it; the vocabulary folds phrases itself."""
    return vocabulary.current().alternatives(text, limit)


def _bridge(node: Node, also: list[dict[str, object]]) -> Node:
    if isinstance(node, Term):
        if node.field is not None:
            return node
        alts = regional_alternatives(node.text, folded=node.form.folded)
        if alts:
            also.append({"term": node.text, "also": alts})
            return node.with_alts(tuple(alts))
        return node
    if isinstance(node, And):
        return And(tuple(_bridge(c, also) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(_bridge(c, also) for c in node.children))
    if isinstance(node, Not):
        return Not(_bridge(node.child, also))
    return node


# --------------------------------------------------------------------------
# Entry point


def _count_terms(node: Node | None) -> int:
    if isinstance(node, Term | DateRange):
        return 1
    if isinstance(node, And | Or):
        return sum(_count_terms(c) for c in node.children)
    if isinstance(node, Not):
        return _count_terms(node.child)
    return 0


def _truncate(node: Node, budget: list[int]) -> Node | None:
    """Keep the first ``budget`` leaves, dropping the rest."""
    if isinstance(node, Term | DateRange):
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        return node
    if isinstance(node, Not):
        c = _truncate(node.child, budget)
        return Not(c) if c is not None else None
    kids = [k for k in (_truncate(c, budget) for c in node.children) if k is not None]
    if not kids:
        return None
    if len(kids) == 1:
        return kids[0]
    return And(tuple(kids)) if isinstance(node, And) else Or(tuple(kids))


def _drop_empty(node: Node | None) -> Node | None:
    """Remove terms that hold no searchable characters (lone punctuation)."""
    if node is None:
        return None
    if isinstance(node, Term):
        return node if node.form.tokens else None
    if isinstance(node, DateRange):
        return node
    if isinstance(node, Not):
        c = _drop_empty(node.child)
        return Not(c) if c is not None else None
    kids = [k for k in (_drop_empty(c) for c in node.children) if k is not None]
    if not kids:
        return None
    if len(kids) == 1:
        return kids[0]
    return And(tuple(kids)) if isinstance(node, And) else Or(tuple(kids))


def parse(q: str, *, bridge: bool = True, max_chars: int = 500, max_terms: int = 32) -> Parsed:
    """Parse ``q``; never raises.  Problems become notices, and the query plain text."""
    notices: list[Notice] = []
    q = unicodedata.normalize("NFKC", q or "")
    if len(q) > max_chars:
        q = q[:max_chars]
        notices.append(Notice(f"查詢過長，只搜尋了前 {max_chars} 個字元。",
                              f"The query is too long: only its first {max_chars} characters were searched."))
    try:
        node = _Parser(_lex(q)).parse()
    except QuerySyntaxError as e:
        notices.append(Notice(f"無法解讀查詢語法（{e}），已改以純文字搜尋。",
                              f"Could not read the query syntax ({e}): searched it as plain text."))
        node = plain_text(q)
    node = _drop_empty(node)
    if _count_terms(node) > max_terms and node is not None:
        node = _truncate(node, [max_terms])
        notices.append(Notice(f"查詢詞過多，只搜尋了前 {max_terms} 個詞。",
                              f"Too many query terms: only the first {max_terms} were searched."))
    also: list[dict[str, object]] = []
    if bridge and node is not None:
        node = _bridge(node, also)
    return Parsed(node, notices, also)


def without_phrases(q: str) -> str | None:
    """``q`` with its quoted phrases as plain words (the rest as typed), or None when it has
    no phrase or does not parse: the "drop the quotes" loosening, read by this module's lexer
    rather than by a second reading of the syntax."""
    try:
        toks = _lex(q)
    except QuerySyntaxError:
        return None
    if not any(kind == "phrase" for kind, _ in toks):
        return None
    out: list[str] = []
    glue = False  # the previous token binds to this one (a field name, a leading minus)
    for kind, text in toks:
        piece = {"field": f"{text}:", "minus": "-"}.get(kind, text.strip() if kind == "phrase" else text)
        if not piece:
            continue
        if glue and out:
            out[-1] += piece
        else:
            out.append(piece)
        glue = kind in ("field", "minus")
    return " ".join(out).replace("( ", "(").replace(" )", ")")


def positive_terms(node: Node | None) -> list[Term]:
    """Terms that a matching document contains (not under NOT): what to highlight."""
    out: list[Term] = []

    def walk(n: Node | None, neg: bool) -> None:
        if isinstance(n, Term):
            if not neg:
                out.append(n)
        elif isinstance(n, And | Or):
            for c in n.children:
                walk(c, neg)
        elif isinstance(n, Not):
            walk(n.child, not neg)

    walk(node, False)
    return out
