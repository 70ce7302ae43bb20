"""Resolving the organization a row of another system's file names (issue #9, item 3).

Real files never name an organization by our 组织代码 under 所在党组织: they carry the official full name
(中共汶上县康驿镇第一支部委员会), the local short form (康驿镇第一党支部), a path (某县委/康驿镇党委/第一党支部), a
code that Excel stripped of its leading zeros, or another system's identifier (党组织唯一标识, 所在党支部编码).
``OrganizationMatcher(user).resolve(text, external_id=…)`` answers each cell with an ``OrgMatch``.

Order (the first step that finds something decides):

1. ``external_id``: an identifier stored for an organization (``OrganizationExternalId``; under ``system``
   when given, else — or when nothing is stored under that system — under any system). Two organizations
   → error naming them. Not found → the ``text`` decides (and without text: unknown).
2. code (组织代码), exact; then a numeric text that lost its leading zeros (Excel): zero-padded it equals
   exactly one numeric code → accepted with 「组织代码「123」可能丢失了前导 0，按「000123」处理」.
3. full name (组织名称), exact (NFKC, white space collapsed).
4. short name (党组织简称), exact.
5. path: names separated by ``/``, ``>``, ``＞``, ``->``, ``-``, ``－``, ``\\`` or ``→``, from the root or any
   ancestor down to the organization (each step by name, short name or normalised name).
6. normalised name (``name_key``): the 中共 / 中国共产党 prefix dropped, the organization type's full and
   short forms made one (委员会 = 党委, 总支部委员会 = 党总支, 支部委员会 = 支部 = 党支部, 工作委员会 = 党工委,
   县委 = 县党委 …), then equal; else a place prefix one side lacks (汶上县康驿镇第一党支部 vs 康驿镇第一党支部,
   either way round). Accepted WITH a warning naming the organization found when exactly one organization
   matches; when several do, those whose ancestors' names contain the dropped prefix are preferred.

Steps 3–6 prefer active organizations: when exactly one of several matches is not dissolved, it is the
answer (an old dissolved branch often shares its name with the new one).

Ambiguous (several organizations) → error naming the candidates (name and code, at most 5). Unknown and
out of scope give the SAME text, 「党组织「X」不存在或不在您的管理范围内」, so nobody can probe for
organizations outside their scope: the matcher only ever loads the organizations of the user's
``label.action`` scope (plus the *names* of their ancestors, used for paths and place prefixes, never
reported).

Performance: one query for the scoped organizations (values, not models), one for their external ids,
one for ancestor names above the scope; answers are memoised per (text, external id, system), so a
100,000-row roster costs three queries and one resolution per distinct text. Model instances are built
(``from_db``, unloaded fields deferred) only for the organizations actually returned.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass

from zugong.core.codes import normalize_text
from zugong.orgs.models import OrganizationExternalId, PartyOrganization

CANDIDATE_LIMIT = 5
PARTY_PREFIXES = ("中国共产党", "中共")
# (suffix as written, canonical short form); longest first so 总支部委员会 wins over 委员会.
TYPE_SUFFIXES: tuple[tuple[str, str], ...] = tuple(sorted((
    ("党总支部委员会", "党总支"), ("总支部委员会", "党总支"), ("总支委员会", "党总支"), ("党总支部", "党总支"),
    ("总支部", "党总支"), ("党总支", "党总支"), ("总支", "党总支"),
    ("党支部委员会", "党支部"), ("支部委员会", "党支部"), ("党支部", "党支部"), ("支部", "党支部"),
    ("党工作委员会", "党工委"), ("工作委员会", "党工委"), ("党工委", "党工委"), ("工委", "党工委"),
    ("党委员会", "党委"), ("委员会", "党委"), ("党委", "党委"),
    ("党小组", "党小组"), ("小组", "党小组"), ("党组", "党组"),
), key=lambda item: -len(item[0])))
_PLACE_COMMITTEE = re.compile(r"([省市县区旗州盟镇乡])委$")  # 汶上县委 = 汶上县党委
_PATH_SPLIT = re.compile(r"\s*(?:->|=>|[/>\\→＞－—-])\s*")
_LOADED_FIELDS = ("id", "path", "depth", "numchild", "code", "name", "short_name", "org_type", "status", "version",
                  "unit_id", "unit_relation")
MIN_CORE = 2  # characters a name must keep besides its type word to match by a suffix (not just 「党支部」)


def split_key(text: object) -> tuple[str, str]:
    """``(core, type)`` of a name after normalisation: the 中共/中国共产党 prefix dropped and the type suffix
    made canonical (``中共汶上县康驿镇第一支部委员会`` → ``("汶上县康驿镇第一", "党支部")``). ``type`` is ``""``
    when the name ends with no known type word."""
    text = "".join(normalize_text(text).split())
    for prefix in PARTY_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix):]
            break
    for suffix, canonical in TYPE_SUFFIXES:
        if text.endswith(suffix):
            return text[: -len(suffix)], canonical
    found = _PLACE_COMMITTEE.search(text)
    if found:
        return text[:-1], "党委"
    return text, ""


def name_key(text: object) -> str:
    """The normalised form of an organization name (``split_key`` joined): two names with the same key
    name the same organization in the official full form and the local short form."""
    core, kind = split_key(text)
    return core + kind


def split_path(text: str) -> list[str]:
    """The names of a path text (``某县委/甲镇党委/第一党支部``), empty parts dropped; ``[text]`` when it
    holds no separator."""
    return [p for p in _PATH_SPLIT.split(text) if p]


@dataclass(frozen=True)
class OrgMatch:
    """The answer for one cell: ``organization`` (``None`` when unresolved), a Chinese ``warning`` (matched
    only after normalisation, or by a code that lost its leading zeros) and a Chinese ``error``
    (unknown, out of scope — same text as unknown —, ambiguous with the candidates named)."""

    organization: PartyOrganization | None
    warning: str = ""
    error: str = ""
    problem: str = ""
    """Why ``organization`` is ``None``, for callers that act on it: ``"empty"``, ``"unknown"`` (also out of
    scope) or ``"ambiguous"`` (several organizations, or an identifier held by several)."""


def unknown_message(text: str) -> str:
    """The one text for an unknown AND for an out-of-scope organization (no probing)."""
    return f"党组织「{text}」不存在或不在您的管理范围内"


class OrganizationMatcher:
    """Resolves organization references against the organizations in ``user``'s ``label.action`` scope
    (loaded once; answers memoised per text), so a 100,000-row file costs a few queries; see the module
    docstring for the order of the steps and the messages.

    ``resolve(text, *, external_id="", system="")`` → ``OrgMatch``: ``text`` is a code, a full or short
    name or a path; ``external_id`` is another system's identifier (党组织唯一标识, 所在党支部编码), looked
    up first when given. ``resolve_parent`` is the same lookup for the 党组织 sheet's parent column (any
    organization type may be a parent there; the caller checks the type rules)."""

    def __init__(self, user, *, label: str = "party", action: str = "import"):
        self.user, self.label, self.action = user, label, action
        self._loaded = False
        self._memo: dict[tuple[str, str, str], OrgMatch] = {}
        self._instances: dict[int, PartyOrganization] = {}

    # --- loading ---------------------------------------------------------------------------------------
    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        concrete = [f.attname for f in PartyOrganization._meta.concrete_fields if f.attname in _LOADED_FIELDS]
        self._fields = concrete
        scoped = PartyOrganization.objects.restrict(self.user, self.action, label=self.label)
        self._rows: dict[int, tuple] = {}
        self._path_name: dict[str, str] = {}
        self._path_short: dict[str, str] = {}
        index = {name: i for i, name in enumerate(concrete)}
        self._i = index
        by_code: dict[str, int] = {}
        by_name: dict[str, list[int]] = defaultdict(list)
        by_short: dict[str, list[int]] = defaultdict(list)
        by_key: dict[str, list[int]] = defaultdict(list)
        for values in scoped.order_by().values_list(*concrete):
            pk = values[index["id"]]
            self._rows[pk] = values
            code, name, short = values[index["code"]], values[index["name"]], values[index["short_name"]]
            self._path_name[values[index["path"]]] = name
            self._path_short[values[index["path"]]] = short
            by_code[code] = pk
            by_name[_clean(name)].append(pk)
            keys = {name_key(name)}
            if short:
                by_short[_clean(short)].append(pk)
                keys.add(name_key(short))
            for key in keys:
                by_key[key].append(pk)
        self._by_code, self._by_name, self._by_short, self._by_key = by_code, by_name, by_short, by_key
        self._zero_stripped: dict[str, list[str]] = defaultdict(list)
        for code in by_code:
            if code.isdigit() and code.startswith("0"):
                self._zero_stripped[code.lstrip("0")].append(code)
        self._reversed_keys: list[tuple[str, int]] | None = None  # built on first use
        self._children: dict[int, list[int]] | None = None
        # names of the ancestors above the scope (for paths and place prefixes only; never reported)
        steplen = PartyOrganization.steplen
        missing = {values[index["path"]][:k] for values in self._rows.values()
                   for k in range(steplen, len(values[index["path"]]), steplen)} - set(self._path_name)
        missing_list = sorted(missing)
        for i in range(0, len(missing_list), 2000):
            for path, name in PartyOrganization.objects.filter(path__in=missing_list[i:i + 2000]).values_list("path", "name"):
                self._path_name[path] = name
        self._ext: dict[tuple[str, str], set[int]] = defaultdict(set)
        self._ext_value: dict[str, set[int]] = defaultdict(set)
        external = OrganizationExternalId.objects.restrict(self.user, self.action, label=self.label)
        for system, value, org_id in external.values_list("system", "value", "organization_id"):
            if org_id in self._rows:
                self._ext[(system, value)].add(org_id)
                self._ext_value[value].add(org_id)

    def _value(self, pk: int, field: str):
        return self._rows[pk][self._i[field]]

    def instance(self, pk: int) -> PartyOrganization:
        """The organization ``pk`` (in scope, loaded) as a model instance; the fields not loaded are
        deferred (read from the database on first access)."""
        org = self._instances.get(pk)
        if org is None:
            org = PartyOrganization.from_db(PartyOrganization.objects.db, self._fields, self._rows[pk])
            self._instances[pk] = org
        return org

    def label_of(self, pk: int) -> str:
        """「名称（代码）」 of an in-scope organization, as messages name candidates."""
        return f"{self._value(pk, 'name')}（{self._value(pk, 'code')}）"

    @property
    def organizations(self) -> dict[int, tuple]:
        """The loaded in-scope organizations: id → values (see ``field``)."""
        self._load()
        return self._rows

    def field(self, pk: int, name: str):
        """A loaded value (one of ``_LOADED_FIELDS``) of the in-scope organization ``pk``."""
        self._load()
        return self._value(pk, name)

    def pk_of_code(self, code: str) -> int | None:
        """The id of the in-scope organization with 组织代码 ``code`` (exact), else ``None``."""
        self._load()
        return self._by_code.get(code)

    @property
    def codes(self) -> set[str]:
        """The codes of the in-scope organizations."""
        self._load()
        return set(self._by_code)

    def children(self, pk: int) -> list[int]:
        """The in-scope direct children of ``pk`` (indexed on first use)."""
        self._load()
        if self._children is None:
            self._children = defaultdict(list)
            steplen = PartyOrganization.steplen
            by_path = {self._value(c, "path"): c for c in self._rows}
            for child, values in self._rows.items():
                parent = by_path.get(values[self._i["path"]][:-steplen])
                if parent is not None:
                    self._children[parent].append(child)
        return self._children.get(pk, [])

    def ancestor_names(self, pk: int) -> list[str]:
        """The names of the ancestors of ``pk``, root first (including those above the user's scope)."""
        path = self._value(pk, "path")
        steplen = PartyOrganization.steplen
        return [self._path_name.get(path[:k], "") for k in range(steplen, len(path), steplen)]

    def ancestor_short_names(self, pk: int) -> list[str]:
        """The short names of the ancestors of ``pk``, root first (``""`` above the user's scope)."""
        path = self._value(pk, "path")
        steplen = PartyOrganization.steplen
        return [self._path_short.get(path[:k], "") for k in range(steplen, len(path), steplen)]

    # --- resolving ---------------------------------------------------------------------------------------
    def resolve(self, text: str, *, external_id: str = "", system: str = "") -> OrgMatch:
        """The organization ``text`` (and/or ``external_id`` of ``system``) names; see the module
        docstring. Empty text and identifier → error 「必填项为空」."""
        text = normalize_text(text)
        external_id = normalize_text(external_id)
        system = normalize_text(system)
        memo_key = (text, external_id, system)
        answer = self._memo.get(memo_key)
        if answer is None:
            answer = self._resolve(text, external_id, system)
            self._memo[memo_key] = answer
        return answer

    def resolve_parent(self, text: str, *, external_id: str = "", system: str = "") -> OrgMatch:
        """``resolve`` for the parent column of the 党组织 sheet (批准成立的上级党组织, 组织树, 上一级党组织唯一标识);
        every organization type is a candidate, the caller checks which may hold sub-organizations."""
        return self.resolve(text, external_id=external_id, system=system)

    def _resolve(self, text: str, external_id: str, system: str) -> OrgMatch:
        if not text and not external_id:
            return OrgMatch(None, error="必填项为空", problem="empty")
        self._load()
        if external_id:
            ids = self._ext.get((system, external_id), set()) if system else set()
            if not ids:
                ids = self._ext_value.get(external_id, set())
            if len(ids) > 1:
                return OrgMatch(None, error=f"外部标识「{external_id}」对应 {len(ids)} 个党组织："
                                            f"{self._names(ids)}，请在组织页面核对外部标识", problem="ambiguous")
            if ids:
                pk = next(iter(ids))
                warning = ""
                if text:
                    by_text = self._resolve_text(text)
                    if by_text.organization is not None and by_text.organization.pk != pk:
                        warning = (f"外部标识「{external_id}」对应「{self.label_of(pk)}」，与所填名称「{text}」"
                                   f"（{self.label_of(by_text.organization.pk)}）不一致，按外部标识处理")
                return OrgMatch(self.instance(pk), warning=warning)
            if not text:
                return OrgMatch(None, error=unknown_message(external_id), problem="unknown")
        return self._resolve_text(text)

    def _resolve_text(self, text: str) -> OrgMatch:
        pk = self._by_code.get(text)
        if pk is not None:
            return OrgMatch(self.instance(pk))
        if text.isdigit():
            codes = [c for c in self._zero_stripped.get(text.lstrip("0"), ()) if len(c) > len(text)]
            if len(codes) == 1:
                return OrgMatch(self.instance(self._by_code[codes[0]]),
                                warning=f"组织代码「{text}」可能丢失了前导 0，按「{codes[0]}」处理")
            if len(codes) > 1:
                return self._ambiguous(text, {self._by_code[c] for c in codes})
        clean = _clean(text)
        for index in (self._by_name, self._by_short):
            ids = index.get(clean)
            if ids:
                return self._pick(text, ids, warning="")
        parts = split_path(text)
        if len(parts) > 1:  # a path: resolved as a path or not at all (never by a part of its text)
            answer = self._resolve_path(text, parts)
            return answer if answer is not None else OrgMatch(None, error=unknown_message(text), problem="unknown")
        return self._resolve_normalised(text)

    def _pick(self, text: str, ids, *, warning: str) -> OrgMatch:
        ids = sorted(set(ids))
        if len(ids) > 1:
            active = [pk for pk in ids if self._value(pk, "status") != "dissolved"]
            if len(active) == 1:
                ids = active
        if len(ids) == 1:
            return OrgMatch(self.instance(ids[0]), warning=warning)
        return self._ambiguous(text, ids)

    def _ambiguous(self, text: str, ids) -> OrgMatch:
        ids = sorted(set(ids), key=lambda pk: self._value(pk, "path"))
        return OrgMatch(None, error=f"党组织「{text}」对应 {len(ids)} 个党组织：{self._names(ids)}，"
                                    "请改填组织代码或带上级组织名称的路径（如「上级党委/本支部」）", problem="ambiguous")

    def _names(self, ids) -> str:
        ids = sorted(ids, key=lambda pk: self._value(pk, "path"))
        names = "、".join(self.label_of(pk) for pk in ids[:CANDIDATE_LIMIT])
        return names + (f" 等 {len(ids)} 个" if len(ids) > CANDIDATE_LIMIT else "")

    def _near_warning(self, text: str, pk: int) -> str:
        return f"党组织「{text}」按名称近似匹配为「{self.label_of(pk)}」，请核对"

    # paths -------------------------------------------------------------------------------------------------
    @staticmethod
    def _part_matches(part: str, name: str, short: str = "") -> tuple[bool, bool]:
        """(matches, exactly) of one path step against an organization's name / short name: equal, or
        equal once normalised, or one normalised name ends with the other (a place prefix one side lacks,
        at least ``MIN_CORE`` characters besides the type word kept)."""
        clean = _clean(part)
        if clean == _clean(name) or (short and clean == _clean(short)):
            return True, True
        core, kind = split_key(part)
        key = core + kind
        for stored in (name, short):
            if not stored:
                continue
            stored_core, stored_kind = split_key(stored)
            stored_key = stored_core + stored_kind
            if key == stored_key:
                return True, False
            if kind == stored_kind and min(len(core), len(stored_core)) >= MIN_CORE and (
                    key.endswith(stored_key) or stored_key.endswith(key)):
                return True, False
        return False, False

    def _resolve_path(self, text: str, parts: list[str]) -> OrgMatch | None:
        last = parts[-1]
        candidates = set(self._by_name.get(_clean(last), ())) | set(self._by_short.get(_clean(last), ()))
        candidates |= set(self._by_key.get(name_key(last), ()))
        if not candidates:
            longer, shorter = self._suffix_candidates(last)
            candidates = set(longer) | shorter
        found: list[int] = []
        exact_all = True
        for pk in candidates:
            ok, exact = self._part_matches(last, self._value(pk, "name"), self._value(pk, "short_name"))
            if not ok:
                continue
            ancestors = self.ancestor_names(pk)
            above = parts[:-1]
            if len(above) > len(ancestors):
                continue
            tail = ancestors[len(ancestors) - len(above):]
            tail_short = self.ancestor_short_names(pk)[len(ancestors) - len(above):]
            steps = [self._part_matches(p, n, sn) for p, n, sn in zip(above, tail, tail_short, strict=True)]
            if all(s[0] for s in steps):
                found.append(pk)
                exact_all = exact_all and exact and all(s[1] for s in steps)
        if not found:
            return None
        answer = self._pick(text, found, warning="")
        if answer.organization is not None and not exact_all:
            return OrgMatch(answer.organization, warning=self._near_warning(text, answer.organization.pk))
        return answer

    # normalised names ----------------------------------------------------------------------------------------
    def _suffix_index(self) -> list[tuple[str, int]]:
        if self._reversed_keys is None:
            self._reversed_keys = sorted((key[::-1], pk) for key, ids in self._by_key.items() for pk in ids)
        return self._reversed_keys

    def _resolve_normalised(self, text: str) -> OrgMatch:
        core, kind = split_key(text)
        key = core + kind
        if len(core) < 1:
            return OrgMatch(None, error=unknown_message(text), problem="unknown")
        ids = self._by_key.get(key)
        if ids:
            answer = self._pick(text, ids, warning="")
            if answer.organization is not None:
                return OrgMatch(answer.organization, warning=self._near_warning(text, answer.organization.pk))
            return answer
        longer, shorter = self._suffix_candidates(text)
        candidates = set(longer) | shorter
        if not candidates:
            return OrgMatch(None, error=unknown_message(text), problem="unknown")
        if len(candidates) > 1:
            explained = {pk for pk, prefix in longer.items() if prefix in "".join(self.ancestor_names(pk))}
            if explained:
                candidates = explained
        answer = self._pick(text, candidates, warning="")
        if answer.organization is not None:
            return OrgMatch(answer.organization, warning=self._near_warning(text, answer.organization.pk))
        return answer

    def _suffix_candidates(self, text: str) -> tuple[dict[int, str], set[int]]:
        """Organizations whose normalised name differs from ``text``'s by a leading part only: ``longer``
        (pk → the prefix the text has in excess: a place the stored name lacks) and ``shorter`` (the
        stored name has a prefix the text lacks). At least ``MIN_CORE`` characters besides the type word
        must be shared."""
        core, kind = split_key(text)
        key = core + kind
        # a place prefix the stored name lacks: a stored key is a suffix of the text's key
        longer: dict[int, str] = {}  # pk → the prefix the text has in excess
        for start in range(1, len(core) - MIN_CORE + 1):
            for pk in self._by_key.get(key[start:], ()):
                longer.setdefault(pk, key[:start])
        # … or the text lacks one: the text's key is a suffix of a stored key
        shorter: set[int] = set()
        if len(core) >= MIN_CORE:
            index = self._suffix_index()
            rkey = key[::-1]
            pos = bisect.bisect_left(index, (rkey, -1))
            while pos < len(index) and index[pos][0].startswith(rkey):
                if len(index[pos][0]) > len(rkey):
                    shorter.add(index[pos][1])
                pos += 1
        return longer, shorter


def _clean(text: str) -> str:
    """Exact-name comparison form: NFKC, no white space at all."""
    return "".join(normalize_text(text).split())
