"""The one filter set of the party member roster (党员名册): the page, the API and the exports use it.

It filters ``Membership`` rows (one row = one member in one organization over a period) that the caller
has already restricted to the user's scope (``party.selectors.roster_base``). Parameters (all optional):

- ``as_of`` 截至日期 (``YYYY-MM-DD``, default today — or the demo data's date while the demo dataset is
  installed, ``demo.reference``, noted in ``as_of_note``): the roster as of that date — memberships in
  force on it (``Membership.objects.on``); member category and age are computed as of it too.
- ``org`` 所在党组织: 组织代码 or id → that organization's whole subtree. Resolved through the user's
  scope: an organization outside it (or unknown) gives **no rows**, never rows.
- ``name`` 姓名包含 (a substring, case-insensitive for Latin letters; indexed on PostgreSQL), or a full
  公民身份号码 (18 characters, 17 digits and a digit or ``X``; full-width and spaces tolerated) or 手机号码
  (11 digits; spaces, dashes, ``+86`` and full-width tolerated) → the person holding exactly that number,
  found through the lookup hash (``id_number_hash``/``phone_hash``, an indexed equality), never by
  decrypting: a partial number matches nothing. Only among the people the user could learn the number
  of anyway — those whose organization lies in the user's ``basic.change`` (an edit or import of that
  number would name them) or ``basic.unmask`` scope — so a view-only user cannot test guesses against
  masked numbers. All of it is ``people.search`` (shared with every other people search). A name
  search without ``sort`` is ranked: the queryset is annotated ``search_rank`` (0 the name equals the
  text, 1 starts with it, 2 contains it; ``people.search.name_rank``) and ordered by it first, then the
  default order — the page, the API and the export alike; ``sex`` 性别 (``1``/``2``/男/女);
  ``occupation`` 工作岗位 (code or name).
- ``category`` 人员类别 (``full``/``probationary``, 正式党员/预备党员) as of ``as_of``, by the rule
  ``party.member_category`` (《中国共产党章程》第七条).
- ``education`` 学历: a statistical group of the rule table (``party.education_groups``: 研究生, 大学本科,
  大学专科, 大专及以上, 高中及以下 — by key, label or alias such as 本科), a GB/T 4658-2006 heading code
  (``40``/中专 → the whole ``4x`` group) or one code or name (``21``, 大学本科毕业 → exactly that code).
- ``ethnicity`` 民族: a group of the rule table (``party.ethnicity_groups``: ``han``/汉族,
  ``minority``/少数民族) or one GB 3304 code/name.
- ``age_min`` / ``age_max``: 周岁 as of ``as_of`` (inclusive), computed in SQL as birth-date bounds.
- ``front_line`` 生产工作一线 (``true``/``false``).
- ``sort``: ``name``, ``birth_date``, ``admission_date``, ``organization`` (``-`` prefix = descending).

Group definitions are those in force on ``as_of`` (``zugong.party.rules``); the filter's values and
aliases are today's.

The filtered queryset carries the annotation ``roster_as_of`` (the reference date), so whoever renders
rows (page, serializer, exporter) computes ages and categories on the same date.

Two shapes of the same rows: the person attributes (姓名, 性别, 民族, 学历, 年龄, 人员类别) are collected as
one condition on ``Person`` and applied

- to ``qs`` as a join (``person__sex = …``): the rows in order. The database walks the sort order
  (organization tree, then name) and stops after one page, checking each row's person as it goes;
- to ``count_qs`` as a semi-join (``person_id IN (SELECT id FROM people_person WHERE …)``): the same rows
  for counting. SQLite reads the people once (a covering index scan) and looks up only the matching
  memberships, instead of one person lookup per membership in scope (at 100,000 members and a 4%
  filter: ~25 ms instead of ~100 ms); PostgreSQL plans both shapes alike (hash (semi-)join).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import django_filters
from django import forms
from django.db import connections
from django.db.models import DateField, Q, QuerySet, Value
from django.utils import timezone

from zugong.core.codes import EDUCATION, ETHNICITY, MEMBER_CATEGORY, OCCUPATION, SEX
from zugong.demo.reference import NOTE as DEMO_NOTE
from zugong.demo.reference import demo_as_of
from zugong.orgs.filtersets import CodeTableFilter
from zugong.orgs.selectors import organization_by_ref
from zugong.party.models import Membership
from zugong.party.rules import (
    age_range_q,
    education_group,
    education_groups,
    ethnicity_group,
    ethnicity_groups,
    member_category_q,
)
from zugong.people import search
from zugong.people.models import Person

SORT_FIELDS = {
    "name": ("person__name", "姓名"),
    "birth_date": ("person__birth_date", "出生日期"),
    "admission_date": ("person__party_member__admission_date", "入党日期"),
    "organization": ("organization__path", "所在党组织"),
}
DEFAULT_ORDERING = ("organization__path", "person__name", "person_id")
# Every roster order ends with ORDER_TAIL: unique among the rows of one as_of (a person has at most one
# membership in force on a day), so the order is total and keyset pages (party.paging) skip no row; the
# person id (not the membership's) lets PostgreSQL walk an index on people_person (name, id).
ORDER_TAIL = "person_id"
# The filters a link to another organization's roster carries over (everything except org/sort/paging).
CARRIED_FILTERS = ("as_of", "name", "sex", "ethnicity", "category", "education", "age_min", "age_max",
                   "occupation", "front_line")


@dataclass(frozen=True)
class EducationSpec:
    """A cleaned 学历 filter value: a rule-table ``group`` key, a GB/T 4658-2006 heading ``prefix`` (one
    digit) or one exact ``code``; exactly one is set."""

    group: str = ""
    prefix: str = ""
    code: str = ""

    def q(self, as_of: dt.date) -> Q:
        """Condition on ``Person``: the group as defined on ``as_of``, the heading's codes or the code."""
        if self.group:
            return education_group(self.group, on=as_of).q()
        if self.prefix:
            return Q(education_level__startswith=self.prefix)
        return Q(education_level=self.code)


def education_spec(value: str) -> EducationSpec | None:
    """Interpret an education filter value (a group of ``party.education_groups`` by key, label or
    alias; a heading code such as ``40``; one code or name), or ``None`` when unrecognised."""
    text = (value or "").strip()
    if not text:
        return None
    group = education_group(text)
    if group is not None:
        return EducationSpec(group=group.key)
    code = EDUCATION.parse(text)
    if code is None:
        return None
    if code.endswith("0") and code != "90":  # GB/T 4658-2006 heading code 10 … 80: the whole group
        return EducationSpec(prefix=code[0])
    return EducationSpec(code=code)


class EducationField(forms.CharField):
    """学历 field: validates with ``education_spec`` and cleans to its result."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        spec = education_spec(value)
        if spec is None:
            raise forms.ValidationError(f"无法识别的学历「{value}」")
        return spec


class EthnicityField(forms.CharField):
    """民族 field: a group of ``party.ethnicity_groups`` (``han``/``minority``, 汉族/少数民族) — cleaned to
    its key — or one GB 3304 code/name."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        group = ethnicity_group(value)
        if group is not None:
            return group.key
        code = ETHNICITY.parse(value)
        if code is None:
            raise forms.ValidationError(f"无法识别的民族「{value}」")
        return code


class EducationFilter(django_filters.CharFilter):
    field_class = EducationField


class EthnicityFilter(django_filters.CharFilter):
    field_class = EthnicityField


def today() -> dt.date:
    """Today in the configured time zone (Asia/Shanghai)."""
    return timezone.localdate()


class MemberFilterSet(django_filters.FilterSet):
    """党员名册 filters; see the module docstring. Bind with ``request=`` (page, API) or ``user=``
    (exports, CLI); the ``org`` filter resolves through that user's scope."""

    as_of = django_filters.DateFilter(method="filter_noop", label="截至日期")
    org = django_filters.CharFilter(method="filter_org", label="所在党组织（代码或ID，含下级）")
    name = django_filters.CharFilter(method="filter_name", label=search.SEARCH_LABEL, help_text=search.SEARCH_HELP)
    sex = CodeTableFilter(method="filter_sex", table=SEX, choices=[("1", "男"), ("2", "女")], label="性别")
    ethnicity = EthnicityFilter(method="filter_ethnicity", label="民族",
                                widget=forms.Select(choices=[("", "全部")] + [(g.key, g.label) for g in ethnicity_groups()]))
    category = CodeTableFilter(method="filter_category", table=MEMBER_CATEGORY, label="人员类别")
    education = EducationFilter(
        method="filter_education", label="学历",
        widget=forms.Select(choices=[("", "全部")] + [(g.key, g.label) for g in education_groups()]),
    )
    age_min = django_filters.NumberFilter(method="filter_age_min", label="年龄自", min_value=0, max_value=150)
    age_max = django_filters.NumberFilter(method="filter_age_max", label="年龄至", min_value=0, max_value=150)
    occupation = CodeTableFilter(field_name="occupation", table=OCCUPATION, label="工作岗位")
    front_line = django_filters.BooleanFilter(
        field_name="front_line", label="生产工作一线",
        widget=forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")]),
    )
    sort = django_filters.OrderingFilter(
        fields={path: key for key, (path, _label) in SORT_FIELDS.items()},
        field_labels={path: label for _key, (path, label) in SORT_FIELDS.items()},
        label="排序",
    )

    class Meta:
        model = Membership
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, user=None):
        # Always bound, so the as-of date (default today) is applied even without parameters.
        super().__init__(data if data is not None else {}, queryset, request=request, prefix=prefix)
        self.user = user if user is not None else getattr(request, "user", None)
        self.as_of = today()
        self.as_of_note = ""  # set when the date is the demo data's default, not one the user chose
        self.selected_org = None  # the organization ``org`` resolved to (after ``qs``), if any
        self._person_q = Q()  # the person-attribute conditions, relative to ``Person`` (see module docstring)
        self._rank_text = ""  # the searched name, when the rows are ranked (filter_name)
        self._count_qs = None

    @property
    def count_qs(self) -> QuerySet[Membership]:
        """The rows of ``qs`` (same filters, same scope), unordered and in the shape that counts fastest:
        person conditions as a semi-join (see the module docstring). For ``COUNT``/``GROUP BY`` only —
        iterate ``qs`` for the rows. Evaluates ``qs`` first when needed (binds and validates the form)."""
        if self._count_qs is None:
            self.qs  # noqa: B018 (filter_queryset builds both shapes)
        return self._count_qs

    # -- the reference date applies before everything else ------------------------------------------
    def filter_queryset(self, queryset):
        as_of = self.form.cleaned_data.get("as_of")
        if as_of is None:
            demo = demo_as_of()
            as_of, self.as_of_note = (demo, DEMO_NOTE) if demo is not None else (today(), "")
        self.as_of = as_of
        self._person_q = Q()
        self._rank_text = ""
        queryset = queryset.on(as_of).annotate(roster_as_of=Value(as_of, output_field=DateField()))
        queryset = super().filter_queryset(queryset)  # membership filters; person filters fill _person_q
        if self._person_q:
            # The subquery only tests attributes of the rows' people, as the join does; the scope stays on
            # the (already restricted) membership rows it filters.
            self._count_qs = queryset.filter(person__in=Person.objects.filter(self._person_q)).order_by()
            queryset = queryset.filter(prefix_q(self._person_q, "person__"))
        else:
            self._count_qs = queryset.order_by()
        if self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*queryset.query.order_by, ORDER_TAIL)  # stable pages
        else:
            queryset = queryset.order_by(*DEFAULT_ORDERING)
        if self._rank_text and not self.form.cleaned_data.get("sort"):
            # a name search without an explicit sort: ranked first (people.search.name_rank), each rank in
            # the order above
            queryset = (queryset.annotate(search_rank=search.name_rank(self._rank_text, "person__"))
                        .order_by("search_rank", *queryset.query.order_by))
            if connections[queryset.db].vendor == "sqlite":
                # The ranked order cannot stop early along the organization tree: SQLite would walk every
                # membership in scope. The same rows, driven from the matching people instead (a scan of the
                # covering name index): 100,000 members, 「李」 16 ms instead of 40 ms, 「建国」 9 instead
                # of 38. PostgreSQL already starts from the name index; the extra semi-join costs it there.
                queryset = queryset.filter(person__in=Person.objects.filter(self._person_q))
        return queryset

    def _person(self, queryset, condition: Q):
        """Record a condition on the member's ``Person`` (applied in ``filter_queryset``)."""
        self._person_q &= condition
        return queryset

    def filter_noop(self, queryset, name, value):
        return queryset  # applied in filter_queryset

    def filter_name(self, queryset, name, value):
        """姓名 substring, or a full 公民身份号码 / 手机号码 (exact, scope-limited): ``people.search.search_q``.
        A name search also sets ``_rank_text``: without an explicit ``sort`` the rows are ranked
        (``search_rank``: exact name, then names starting with the text, then the rest)."""
        if search.is_name_search(value):
            self._rank_text = value.strip()
        return self._person(queryset, search.search_q(value, user=self.user))

    def filter_sex(self, queryset, name, value):
        return self._person(queryset, Q(sex=value))

    def filter_org(self, queryset, name, value):
        org = organization_by_ref(user=self.user, ref=value)
        self.selected_org = org
        if org is None:
            return queryset.none()
        return queryset.filter(organization__path__startswith=org.path)

    def filter_category(self, queryset, name, value):
        return self._person(queryset, member_category_q(value, on=self.as_of, prefix="party_member__"))

    def filter_education(self, queryset, name, value):
        return self._person(queryset, value.q(self.as_of))

    def filter_ethnicity(self, queryset, name, value):
        group = ethnicity_group(value, on=self.as_of)
        return self._person(queryset, group.q() if group is not None else Q(ethnicity=value))

    def filter_age_min(self, queryset, name, value):
        return self._person(queryset, age_range_q(int(value), None, self.as_of))

    def filter_age_max(self, queryset, name, value):
        return self._person(queryset, age_range_q(None, int(value), self.as_of))


def prefix_q(condition: Q, prefix: str) -> Q:
    """A copy of ``condition`` with every lookup prefixed, e.g. ``Q(sex="2") | ~Q(name="x")`` with
    ``"person__"`` → ``Q(person__sex="2") | ~Q(person__name="x")`` (connectors and negations kept), to
    apply conditions written against ``Person`` to a model that reaches it through ``person``. Only
    keyword lookups are supported: raises ``TypeError`` for expressions inside ``condition``."""
    copy = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            copy.children.append(prefix_q(child, prefix))
        elif isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
            copy.children.append((prefix + child[0], child[1]))
        else:
            raise TypeError(f"prefix_q: only keyword lookups can be prefixed, not {child!r}")
    return copy
