"""Searching people: by name (a substring, indexed on PostgreSQL), by a full 公民身份号码 or 手机号码 (exact,
through the lookup hashes), and the ranking of name matches. Every list that searches people by name — the
党员名册 (page, API, export), the transfer list, the development pipeline, the cadre lists and the
candidate pickers — goes through this module, so they all find the same people the same way.

Name search: the semantics are exactly Django's ``icontains`` — the name contains the text, case-insensitive
for Latin letters (PostgreSQL: ``UPPER(name) LIKE UPPER('%text%')``; SQLite: ``LIKE '%text%'``, case-folding
ASCII only, unchanged). ``name_q(text)`` is ``Q(name__substring=text)``, a lookup registered on
``Person.name`` (``register``, called by ``PeopleConfig.ready``); it compiles to that same ``LIKE`` and, on
PostgreSQL, adds a condition an index can answer:

- a text with a run of 3+ ASCII letters/digits (``Zhang``, ``Ali``) — the ``LIKE`` alone: the trigram index
  ``people_name_trgm_idx`` (``GIN (UPPER(name) gin_trgm_ops)``, extension ``pg_trgm``) answers it.
- any other text (``建国``, ``王``, ``王建国``, ``丽·买``) — the condition
  ``zugong_name_grams(UPPER(name)) @> zugong_search_grams(UPPER(text))`` is added, answered by
  ``people_name_grams_idx`` (``GIN (zugong_name_grams(UPPER(name)))``): ``zugong_name_grams`` returns every
  1- and 2-character substring of the name (``王建国`` → {王, 建, 国, 王建, 建国}), ``zugong_search_grams``
  the 2-character substrings of the text (the text itself when it is one character). A name containing the
  text contains all of the text's bigrams, so the index returns a superset and the ``LIKE`` (kept, the same
  expression as ``icontains``) makes it exact. Both sides are upper-cased by the database's ``UPPER``, the
  same function as the ``LIKE``, so no Python/SQL case-mapping difference can lose a row.

  Why: pg_trgm extracts no trigram from a 1–2 character pattern between wildcards (``%建国%`` has no
  trigram that must be present, so its index would scan everything — checked with ``show_trgm`` and
  EXPLAIN), and most Chinese name searches are 2 characters. Whether pg_trgm sees CJK characters at all
  depends on the database's LC_CTYPE (``C.UTF-8``, ``zh_CN.UTF-8``: word characters; ``C``: not, and
  a Chinese pattern then yields no trigram at any length), so every non-ASCII text gets the bigram
  condition; with a CJK-aware LC_CTYPE the planner may combine both indexes (``BitmapAnd``) for 3+
  characters. Measured at 1,269,128 people (PostgreSQL 15, ``C.UTF-8``, EXPLAIN (ANALYZE, BUFFERS)):
  ``%建国%`` 2,891 rows in 16 ms, 2,775 buffers (a parallel sequential scan: 165 ms, 62,443 buffers);
  ``%王建国%`` 236 rows in 2–10 ms; ``%国%`` 33,104 rows in 92 ms (seq scan 160 ms). Index sizes: trigram
  34 MB, grams 22 MB; building both takes ~16 s.

SQLite has neither index: the plain ``LIKE`` scan (fast enough for the sizes SQLite serves).

Exact search (``exact_number``): a full 18-character 公民身份号码 (full-width, spaces, lower-case ``x``
tolerated) or an 11-digit mobile number (spaces, dashes, ``+86``/``0086``, full-width tolerated) is never
searched as a name: it is hashed with the field key (``Person.hash_id_number``; the phone hash as stored
by ``core.sealing.seal_phone``) and compared with the indexed ``id_number_hash``/``phone_hash``
(``people_id_number_hash_uniq``, ``people_phone_hash_idx``) — never by decrypting, and a partial number
matches nothing. Only among people the user could learn the number of anyway (``known_numbers_q``: the
person's organization in the user's ``basic.change`` or ``basic.unmask`` scope), so a view-only user, who is
shown masked numbers, cannot test guesses against them.

Ranking (``name_rank``): 0 = the name equals the text, 1 = starts with it, 2 = contains it elsewhere (the
same case rules as the search on each engine); lists order by it first, then their default order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import django_filters
from django.db.models import Case, IntegerField, Lookup, Q, Value, When
from django.db.models.lookups import IContains

from zugong.core import crypto, idnumber
from zugong.core.scoping import scope_q, user_scope
from zugong.people import validators

LOOKUP_NAME = "substring"
"""The lookup registered on ``Person.name``: ``Q(name__substring="建国")``, ``person__name__substring``."""

TRIGRAM_INDEX = "people_name_trgm_idx"
GRAMS_INDEX = "people_name_grams_idx"
"""The two PostgreSQL indexes created by migration ``people.0007_name_search`` (none on SQLite)."""

ID_NUMBER_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
"""A full 18-character 公民身份号码 after ``idnumber.normalize``."""

_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
_ASCII_WORD_RUN = re.compile(r"[A-Za-z0-9]{3,}")
"""3+ ASCII letters/digits in a row: pg_trgm extracts a trigram from the text whatever the database's
LC_CTYPE, its index answers the ``LIKE`` alone."""


class NameSubstring(Lookup):
    """``name__substring=text``: the rows whose value contains ``text`` — exactly ``icontains`` (same SQL),
    plus on PostgreSQL, for texts without a run of 3 ASCII letters/digits, the bigram-containment condition answered by
    ``people_name_grams_idx`` (see the module docstring). Register it only on fields that index is on."""

    lookup_name = LOOKUP_NAME
    prepare_rhs = True

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(IContains(self.lhs, self.rhs))
        text = str(self.rhs or "")
        if connection.vendor != "postgresql" or not text or _ASCII_WORD_RUN.search(text):
            return sql, params
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        grams = f"zugong_name_grams(UPPER({lhs_sql}::text)) @> zugong_search_grams(UPPER(%s::text))"
        return f"({grams} AND {sql})", [*lhs_params, text, *params]


def register() -> None:
    """Register ``NameSubstring`` on ``Person.name`` (idempotent; ``PeopleConfig.ready`` calls it)."""
    from zugong.people.models import Person

    Person._meta.get_field("name").register_lookup(NameSubstring)


def name_q(text: str, prefix: str = "") -> Q:
    """Condition: the person's name contains ``text`` (``prefix`` = the path to the person, e.g.
    ``"person__"``, ``"cadre__person__"``). Blank ``text`` → ``Q()`` (no condition)."""
    text = (text or "").strip()
    return Q(**{f"{prefix}name__{LOOKUP_NAME}": text}) if text else Q()


def name_rank(text: str, prefix: str = "") -> Case:
    """Integer expression ranking a name match: 0 equal (``iexact``), 1 starts with the text
    (``istartswith``), 2 otherwise. Annotate as ``search_rank`` and order by it first."""
    text = (text or "").strip()
    field = f"{prefix}name"
    return Case(When(Q(**{f"{field}__iexact": text}), then=Value(0)),
                When(Q(**{f"{field}__istartswith": text}), then=Value(1)),
                default=Value(2), output_field=IntegerField())


@dataclass(frozen=True)
class ExactNumber:
    """A search text recognised as a full number: ``field`` (``id_number_hash`` or ``phone_hash``) and the
    lookup ``hash`` to compare it with; ``kind`` is ``"id_number"`` or ``"phone"``."""

    kind: str
    field: str
    hash: str

    def q(self, prefix: str = "") -> Q:
        """Condition on the person (through ``prefix``): the stored hash equals this one."""
        return Q(**{f"{prefix}{self.field}": self.hash})


def normalize_phone(text: str) -> str:
    """A pasted phone number as stored: full-width → half-width, spaces, dashes and brackets removed, a
    leading ``+86``/``0086`` (or ``86`` before 11 digits) dropped."""
    digits = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", str(text or "")))
    for country in ("+86", "0086"):
        if digits.startswith(country):
            return digits[len(country):]
    if len(digits) == 13 and digits.startswith("86"):
        return digits[2:]
    return validators.normalize_phone(digits)


def exact_number(text: str) -> ExactNumber | None:
    """``text`` as a full 公民身份号码 or 11-digit mobile number (see the module docstring), or ``None``
    when it is neither (then it is searched as a name). Hashes only: never decrypts."""
    number = idnumber.normalize(text)
    if ID_NUMBER_SHAPE.fullmatch(number):
        return ExactNumber("id_number", "id_number_hash", crypto.cipher().lookup_hash(number))
    phone = normalize_phone(text)
    if phone and phone.isascii() and not validators.validate_phone(phone):
        return ExactNumber("phone", "phone_hash", crypto.cipher().lookup_hash(phone))
    return None


def known_numbers_q(user, prefix: str = "") -> Q:
    """Condition on the person (through ``prefix``): their organization lies in ``user``'s ``basic.change``
    or ``basic.unmask`` scope — the people whose numbers the user could learn anyway. Matches nothing for
    a user without either."""
    known = user_scope(user, "basic", "change") + user_scope(user, "basic", "unmask")
    return scope_q(known, f"{prefix}organization")


def search_q(text: str, *, user, prefix: str = "") -> Q:
    """The condition of a people search box on the person (through ``prefix``): a full ID number or mobile
    number → that person, if ``known_numbers_q``; anything else → ``name_q``. Blank → ``Q()``."""
    text = (text or "").strip()
    number = exact_number(text) if text else None
    if number is not None:
        return number.q(prefix) & known_numbers_q(user, prefix)
    return name_q(text, prefix)


def is_name_search(text: str) -> bool:
    """Whether ``search_q(text)`` searches names (and so results are ranked by ``name_rank``)."""
    text = (text or "").strip()
    return bool(text) and exact_number(text) is None


SEARCH_LABEL = "姓名、公民身份号码或手机号码"
SHORT_LABEL = "姓名/身份证号/手机号"
"""The label of ``PersonSearchFilter`` on list pages with a narrow filter bar (the roster uses the long one)."""
SEARCH_HELP = "姓名的一部分；或完整的公民身份号码、手机号码（精确查找）"


class PersonSearchFilter(django_filters.CharFilter):
    """A filter-set field searching people with ``search_q`` (name substring, or a full ID / mobile number
    within the user's change/unmask scope). ``prefix``: the path from the filtered model to ``Person``
    (``"person__"``, ``"cadre__person__"``). The user is the filter set's ``user`` attribute, else its
    request's user (none: number searches find nobody)."""

    def __init__(self, *, prefix: str = "", **kwargs):
        kwargs.setdefault("label", SHORT_LABEL)
        kwargs.setdefault("help_text", SEARCH_HELP)
        kwargs.setdefault("max_length", 50)
        super().__init__(**kwargs)
        self.prefix = prefix

    def filter(self, qs, value):
        text = (value or "").strip()
        if not text:
            return qs
        parent = getattr(self, "parent", None)
        user = getattr(parent, "user", None) or getattr(getattr(parent, "request", None), "user", None)
        return qs.filter(search_q(text, user=user, prefix=self.prefix))

