"""党员变动台账 import (``zugong import changes FILE``; issue #10, item 3): one row per 党员变动 of a period,
each recorded through ``party.services.event_record`` — all or nothing, with a row-level report.

Columns (headers matched by name, ``core.layout``; * = required): 公民身份号码*, 姓名*, 变动类型*, 变动日期*,
对方党组织, 出党方式, 原因, and optionally 所在党组织, 延长预备期时间, 转正情况, 出党原因类别, 文号, 备注.

- 变动类型 (``import_history.CHANGE_KIND``): 发展党员, 重新入党, 恢复党籍, 停止党籍后恢复党籍, 转入组织关系 (转入),
  整建制转入, 出党 (with 出党方式) or the 出党方式 itself (开除党籍, 退党除名, 劝退, 劝而不退除名, 自行脱党除名,
  取消预备党员资格, 不予承认), 停止党籍, 死亡, 转出组织关系 (转出), 整建制转出, 组织关系转接, 转正 (with 转正情况,
  default 按期转正) or the outcome itself (按期转正, 延长预备期 with 延长预备期时间, 延长预备期后转正, 推迟讨论,
  推迟讨论后转正).
- 对方党组织 (required for 转入 / 转出 / 转接): resolved with ``orgs.matching.OrganizationMatcher`` in the
  user's scope. An organization found there makes the row a 组织关系转接 (``transfer``) between the two
  organizations: 转出 → from the member's organization to it; 转入 → from it (where the member must be) to
  所在党组织. A name of an organization held in Zugong outside the scope is refused (such a transfer is
  started by the sending side and accepted by the receiving side: 组织关系转接); anything else is kept as text,
  the counterpart outside Zugong (转入组织关系 / 转出组织关系).
- 所在党组织: the receiving organization of an increase (default: where the member last was); for other
  kinds, when given, it must be the member's organization on that day.
- 原因: for 出党, a reason category of 第十一表 (``EXIT_REASON``: 违反政治纪律 …) is stored as the category,
  other text as the reason; 出党原因类别, when present, gives the category itself.

The member is found by 公民身份号码 among the people of the user's ``party.import`` scope; an unknown number
and one held outside the scope get the same row error (nothing to probe). New members (发展党员 of someone
Zugong does not hold, 转入 from outside) come in by the 党员花名册 with 进入类型 / 进入日期; the message says so.
姓名 must be the one on record.

Checks before anything is written (also on a dry run): every row through ``lifecycle.check_event`` — the
person's recorded state advancing row by row in date order (``MemberState.after``), so several events of one
person in one file are checked in order — plus the scope ``event_record`` will require (``party.change`` on
the member's organization, ``party.add`` on the receiving one). A row whose event (same person, kind, detail,
date) is already on record counts as unchanged: the same file twice records nothing new. Then, in one
transaction, ``event_record`` per row in date order; any failure there (a concurrent change) becomes that
row's error and rolls the whole file back.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from zugong.core.codes import normalize_text
from zugong.core.errors import OutOfScope, RowError, ValidationFailed
from zugong.core.importing import (
    Column,
    Importer,
    ImportFailed,
    ImportResult,
    Issues,
    Sheet,
    Ticker,
    cell_text,
    run_import,
)
from zugong.orgs.matching import OrganizationMatcher, name_key
from zugong.orgs.models import PartyOrganization
from zugong.party import lifecycle
from zugong.party.choices import (
    EVENT_KIND,
    EXIT_KIND,
    EXIT_REASON,
    FULL_MEMBERSHIP_OUTCOME,
    INCREASE_KINDS,
)
from zugong.party.import_history import CHANGE_KIND, kind_hint, parse_extension_months, parse_kind
from zugong.party.importers import ROSTER_COLUMNS, _filled, _Memo, id_number_cell, with_source
from zugong.party.models import MemberCount, Membership, MembershipEvent, PartyMember
from zugong.people.models import Person

_ID_ALIASES = next(c.aliases for c in ROSTER_COLUMNS if c.key == "id_number")
_ORG_ALIASES = next(c.aliases for c in ROSTER_COLUMNS if c.key == "organization")

LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("id_number", "公民身份号码", True, aliases=_ID_ALIASES, width=21, text=True),
    Column("name", "姓名", True, aliases=("党员姓名",), width=10),
    Column("kind", "变动类型", True,
           aliases=("变动情况", "变动方式", "变动类别", "党员变动类型", "增减类型", "增减方式", "变动事项", "变化类型"),
           width=16, values=CHANGE_KIND.names),
    Column("date", "变动日期", True, aliases=("变动时间", "发生日期", "变动年月", "生效日期", "批准日期"), width=12),
    Column("counterpart", "对方党组织",
           aliases=("转入来源", "转出去向", "转往党组织", "对方组织", "转入（转出）党组织", "组织关系转往", "来源或去向",
                    "转入来源或转出去向", "对方党组织名称"),
           width=28),
    Column("exit_way", "出党方式", aliases=("出党类型", "出党情形"), width=14, values=EXIT_KIND.names),
    Column("reason", "原因", aliases=("变动原因", "出党原因", "事由"), width=30),
    Column("organization", "所在党组织", aliases=_ORG_ALIASES, width=20, text=True),
    Column("extension", "延长预备期时间",
           aliases=("延长预备期", "延长预备期时长", "预备期延长时间", "延长预备期(月)", "延长预备期月数", "延长时间"),
           width=12, values=("6个月", "12个月", "半年", "一年")),
    Column("outcome", "转正情况", aliases=("转正类型", "转正类别", "转正方式"), width=16,
           values=FULL_MEMBERSHIP_OUTCOME.names),
    Column("reason_category", "出党原因类别", aliases=("原因类别", "出党原因分类"), width=20, values=EXIT_REASON.names),
    Column("document_number", "文号", aliases=("批准文号", "决定文号", "文件编号"), width=16),
    Column("note", "备注", width=20),
)
"""The change ledger's layout (template and import)."""
HEADER = {c.key: c.header for c in LEDGER_COLUMNS}

NOT_HELD_MESSAGE = ("该公民身份号码不在您的管理范围内，或尚未登记为党员；新发展或从系统外转入的党员请通过「导入党员花名册」"
                    "登记（填写进入类型、进入日期）")
"""The one answer for an unknown number and a number held outside the scope (nothing to probe)."""
IN_ZUGONG_MESSAGE = ("对方党组织「{text}」是本系统中的党组织，但不在您的管理范围内：系统内的组织关系转接由转出方发起、"
                     "接收方确认（「组织关系转接」），不能通过变动台账导入")

_PROBLEM_FIELDS = {"变动日期": "date", "变动类型": "kind", "延长预备期": "extension", "出党原因": "reason_category",
                   "对方党组织": "counterpart", "原因": "reason", "文号": "document_number", "备注": "note",
                   "入党日期": "kind"}


@dataclass(slots=True)
class LedgerRow:
    """One parsed row: the event as written (``kind``/``detail``; ``detail_key`` = the column the detail
    came from), its ``date``, the texts of 对方党组织 and 所在党组织, and the other fields of ``event_record``."""

    number: int
    id_hash: str
    name: str
    kind: str
    detail: str
    detail_key: str
    date: dt.date
    counterpart: str
    org_text: str
    reason_category: str
    reason: str
    months: int | None
    document_number: str
    note: str


@dataclass(slots=True)
class LedgerEvent:
    """One planned ``event_record`` call (row ``number``; ``target_key``: the column naming the organization
    the event goes to; ``anchor``: the organization whose ``party.change`` it needs, ``None`` for an
    increase)."""

    number: int
    person_id: int
    kind: str
    detail: str
    date: dt.date
    to_organization_id: int | None
    counterpart: str
    reason_category: str
    reason: str
    extension_months: int | None
    document_number: str
    note: str
    detail_key: str
    target_key: str
    anchor: int | None = None


@dataclass
class LedgerPlan:
    """The events to record in order, the rows already on record (``recorded``), counts by kind."""

    events: list[LedgerEvent] = field(default_factory=list)
    recorded: int = 0
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class ZugongOrganizations:
    """Whether a text names an active organization anywhere in Zugong (code, name, short name, or the
    normalised name of ``orgs.matching.name_key``) — only to refuse a 转入 / 转出 whose counterpart is held in
    Zugong outside the user's scope (it must go through 组织关系转接). Answers yes/no, never which
    organization; names of active organizations are not confidential (the transfer picker lists them)."""

    def __init__(self) -> None:
        self._keys: set[str] | None = None

    def names(self, text: str) -> bool:
        text = normalize_text(text)
        if not text:
            return False
        active = PartyOrganization.objects.filter(status="active")
        if active.filter(Q(code=text) | Q(name=text) | Q(short_name=text)).exists():
            return True
        if self._keys is None:
            self._keys = set()
            for name, short in active.values_list("name", "short_name").iterator(chunk_size=5000):
                self._keys.add(name_key(name))
                if short:
                    self._keys.add(name_key(short))
        return name_key(text) in self._keys


class LedgerImporter(Importer):
    """Importer of the 党员变动台账; see the module docstring. Use ``import_changes``."""

    kind = "changes"
    data_label = "party"
    title = "党员变动"
    models_written = (MembershipEvent, Membership, PartyMember, MemberCount)  # MemberCount: written by the triggers
    columns = LEDGER_COLUMNS
    sheet_names = ("党员变动", "变动台账", "党员变动台账", "党员增减变动")
    identity_keys = ("id_number", "name")

    def __init__(self, *, user, today: dt.date | None = None):
        super().__init__(user=user)
        self.today = today or timezone.localdate()

    # --- validation ---------------------------------------------------------------------------------------
    def validate(self, sheet: Sheet, issues: Issues, ticker: Ticker) -> LedgerPlan:
        memo = _Memo(self.today)
        self._has_reason_category = sheet.has("reason_category")
        rows = []
        for source in sheet.rows:
            row = self._parse(source.number, source.cells, memo, issues)
            if row is not None:
                rows.append(row)
            ticker.step()
        plan = LedgerPlan()
        if rows:
            self._plan(rows, plan, issues)
        return plan

    def _parse(self, number: int, cells: dict, memo: _Memo, issues: Issues) -> LedgerRow | None:
        ok = True

        def fail(key: str, reason: str) -> None:
            nonlocal ok
            issues.error(number, HEADER[key], reason)
            ok = False

        info = id_number_cell(number, cells.get("id_number"), issues, column=HEADER["id_number"], today=self.today)
        ok = info is not None
        name = cell_text(cells.get("name"))
        if not name:
            fail("name", "必填项为空")
        # 变动类型 and its detail columns
        text = cell_text(cells.get("kind"))
        parsed = parse_kind(CHANGE_KIND, text) if text else None
        kind = detail = detail_key = ""
        if not text:
            fail("kind", "必填项为空")
        elif parsed is None:
            fail("kind", f"无法识别的变动类型「{text}」（{kind_hint(CHANGE_KIND)}）")
        else:
            kind, detail = parsed
            detail_key = "kind" if detail else ""
        way_text = cell_text(cells.get("exit_way"))
        if way_text:
            way = EXIT_KIND.parse(way_text)
            if way is None:
                fail("exit_way", f"无法识别的出党方式「{way_text}」（应为 {'、'.join(EXIT_KIND.entries.values())}，"
                                 "党内统计年报第十表）")
            elif kind and kind != "exit":
                fail("exit_way", f"变动类型为{EVENT_KIND.label(kind)}，不应填写出党方式")
            elif detail and detail != way:
                fail("exit_way", f"出党方式「{way_text}」与变动类型「{text}」不一致")
            elif kind:
                detail, detail_key = way, "exit_way"
        if kind == "exit" and not detail and ok:
            fail("exit_way", f"变动类型为出党，须在出党方式中填写 {'、'.join(EXIT_KIND.entries.values())} 之一"
                             "（党内统计年报第十表）")
        outcome_text = cell_text(cells.get("outcome"))
        if outcome_text:
            outcome = FULL_MEMBERSHIP_OUTCOME.parse(outcome_text)
            if outcome is None:
                fail("outcome", f"无法识别的转正情况「{outcome_text}」（应为 {'、'.join(FULL_MEMBERSHIP_OUTCOME.names)}）")
            elif kind and kind != "full_membership":
                fail("outcome", f"变动类型为{EVENT_KIND.label(kind)}，不应填写转正情况")
            elif detail and detail != outcome:
                fail("outcome", f"转正情况「{outcome_text}」与变动类型「{text}」不一致")
            elif kind:
                detail, detail_key = outcome, "outcome"
        if kind == "full_membership" and not detail:
            detail, detail_key = "on_time", "outcome"  # 转正 alone: 按期转正
        # 变动日期
        raw = cells.get("date")
        day = None
        if not _filled(raw):
            fail("date", "必填项为空")
        else:
            day, unknown, reason = memo.date(raw)
            if reason:
                fail("date", reason)
            elif unknown:
                issues.warning(number, HEADER["date"], f"日期只有年月（{cell_text(raw)}），按 {day.isoformat()} 记录")
        # 延长预备期时间
        months = None
        raw = cells.get("extension")
        if _filled(raw):
            months = parse_extension_months(raw)
            if months is None:
                fail("extension", f"无法识别的延长预备期时间「{cell_text(raw)}」（应为 6个月、12个月、半年、一年 或月数）")
            months = months or None
        # 原因 / 出党原因类别
        reason = cell_text(cells.get("reason"))
        category = ""
        if self._has_reason_category and _filled(cells.get("reason_category")):
            category_text = cell_text(cells.get("reason_category"))
            category = EXIT_REASON.parse(category_text) or ""
            if not category:
                fail("reason_category", f"无法识别的出党原因类别「{category_text}」（应为 {'、'.join(EXIT_REASON.names)}，"
                                        "党内统计年报第十一表）")
            elif kind and kind != "exit":
                fail("reason_category", "只有出党需要填写出党原因类别")
        elif kind == "exit" and reason and EXIT_REASON.parse(reason):
            category, reason = EXIT_REASON.parse(reason), ""  # the cell names a 第十一表 category
        for key, value, limit in (("reason", reason, 500), ("document_number", cell_text(cells.get("document_number")), 100),
                                  ("note", cell_text(cells.get("note")), 500), ("counterpart", cell_text(cells.get("counterpart")), 200)):
            if len(value) > limit:
                fail(key, f"不能超过 {limit} 个字")
        if not ok:
            return None
        from zugong.core import crypto

        return LedgerRow(number=number, id_hash=crypto.cipher().lookup_hash(info.number), name=name, kind=kind,
                         detail=detail, detail_key=detail_key or "kind", date=day,
                         counterpart=cell_text(cells.get("counterpart")), org_text=cell_text(cells.get("organization")),
                         reason_category=category, reason=reason, months=months,
                         document_number=cell_text(cells.get("document_number")), note=cell_text(cells.get("note")))

    # --- planning against the records -------------------------------------------------------------------
    def _plan(self, rows: list[LedgerRow], plan: LedgerPlan, issues: Issues) -> None:
        """Find each row's member, resolve the organizations, check every event in date order against the
        member's record (``lifecycle.check_event``), then the scope ``event_record`` requires."""
        people = {h: (pk, name) for pk, h, name in Person.objects.restrict(self.user, "import", label="party")
                  .filter(id_number_hash__in=sorted({r.id_hash for r in rows}))
                  .values_list("pk", "id_number_hash", "name")}
        states = lifecycle.load_states([pk for pk, _ in people.values()])
        matcher = OrganizationMatcher(self.user, label=self.data_label, action="import")
        zugong = ZugongOrganizations()
        failed: set[int] = set()  # people with a refused row: their later rows would only repeat it
        for row in sorted(rows, key=lambda r: (r.date, r.number)):
            found = people.get(row.id_hash)
            if found is None:
                issues.error(row.number, HEADER["id_number"], NOT_HELD_MESSAGE)
                continue
            person_id, name = found
            if row.name != name:
                issues.error(row.number, HEADER["name"], f"姓名「{row.name}」与该公民身份号码登记的姓名不一致")
                continue
            if person_id in failed:
                continue
            event = self._event(row, person_id, states[person_id], matcher, zugong, issues)
            if event is None:
                failed.add(person_id)
                continue
            if event is _RECORDED:
                plan.recorded += 1
                continue
            state = states[person_id]
            in_force = state.member_on(row.date)
            if event.kind not in INCREASE_KINDS:
                event.anchor = in_force.organization_id if in_force else None
            target = matcher.instance(event.to_organization_id) if event.to_organization_id else None
            problems = lifecycle.check_event(state, kind=event.kind, detail=event.detail, date=event.date,
                                             to_organization=target, extension_months=event.extension_months,
                                             today=self.today)
            if self._report(row.number, event, problems, issues):
                failed.add(person_id)
                continue
            states[person_id] = state.after(kind=event.kind, detail=event.detail, date=event.date,
                                            to_organization_id=event.to_organization_id,
                                            to_organization_name=target.name if target is not None else "",
                                            extension_months=event.extension_months)
            plan.events.append(event)
            plan.counts[event.kind] += 1
        self._check_scope(plan, issues)

    def _event(self, row: LedgerRow, person_id: int, state: lifecycle.MemberState, matcher: OrganizationMatcher,
               zugong: ZugongOrganizations, issues: Issues):
        """The ``LedgerEvent`` of ``row`` (the organizations resolved), ``_RECORDED`` when it is on record
        already, ``None`` after an error."""
        kind, detail = row.kind, row.detail
        counterpart = row.counterpart
        target_id = None
        target_key = "organization"
        own = None
        if row.org_text:
            match = matcher.resolve(row.org_text)
            if match.organization is None:
                issues.error(row.number, HEADER["organization"], "所在" + (match.error or "党组织不存在或不在您的管理范围内"))
                return None
            if match.warning:
                issues.warning(row.number, HEADER["organization"], match.warning)
            own = match.organization
        if kind in ("transfer_in", "transfer_out", "transfer"):
            label = CHANGE_KIND.label(kind)
            if not counterpart:
                where = {"transfer_in": "转入来源", "transfer_out": "转出去向", "transfer": "转入的党组织"}[kind]
                issues.error(row.number, HEADER["counterpart"], f"{label}须填写对方党组织（{where}）")
                return None
            match = matcher.resolve(counterpart)
            inside = match.organization
            if inside is None and match.problem == "ambiguous":
                issues.error(row.number, HEADER["counterpart"], "对方" + match.error if match.error.startswith("党组织")
                             else match.error)
                return None
            if inside is None and zugong.names(counterpart):
                issues.error(row.number, HEADER["counterpart"], IN_ZUGONG_MESSAGE.format(text=counterpart))
                return None
            if inside is not None and match.warning:
                issues.warning(row.number, HEADER["counterpart"], match.warning)
            if kind == "transfer" and inside is None:
                issues.error(row.number, HEADER["counterpart"],
                             f"组织关系转接的对方党组织「{counterpart}」须是本系统中您管理范围内的党组织；转往系统外请填写"
                             "「转出组织关系」")
                return None
            if inside is not None:
                if kind == "transfer_in":  # from an organization of the scope to 所在党组织
                    current = state.current
                    if current is None or current.organization_id != inside.pk:
                        issues.error(row.number, HEADER["counterpart"],
                                     f"该党员的组织关系不在「{inside.name}」，不能从该党组织转入（请核对对方党组织）")
                        return None
                    if own is None:
                        issues.error(row.number, HEADER["organization"],
                                     "从本系统内的党组织转入，须在「所在党组织」中填写转入的党组织")
                        return None
                    target_id, target_key = own.pk, "organization"
                else:  # 转出 / 转接 to an organization of the scope
                    target_id, target_key = inside.pk, "counterpart"
                    if own is not None:
                        in_force = state.member_on(row.date)
                        if in_force is not None and in_force.organization_id != own.pk:
                            issues.error(row.number, HEADER["organization"], self._not_here(state, in_force, own))
                            return None
                kind, counterpart = "transfer", ""
        if kind in INCREASE_KINDS:
            if own is not None:
                target_id = own.pk
            else:
                last = max(state.periods, key=lambda p: p.start) if state.periods else None
                if last is None or last.organization_id not in matcher.organizations:
                    issues.error(row.number, HEADER["organization"],
                                 f"{CHANGE_KIND.label(row.kind)}须在「所在党组织」中填写接收的党组织")
                    return None
                target_id = last.organization_id
        elif kind != "transfer" and own is not None:
            in_force = state.member_on(row.date)
            if in_force is not None and in_force.organization_id != own.pk:
                issues.error(row.number, HEADER["organization"], self._not_here(state, in_force, own))
                return None
        if any(e.kind == kind and e.detail == detail and e.date == row.date for e in state.events):
            return _RECORDED
        return LedgerEvent(number=row.number, person_id=person_id, kind=kind, detail=detail, date=row.date,
                           to_organization_id=target_id, counterpart=counterpart if kind != "transfer" else "",
                           reason_category=row.reason_category, reason=row.reason, extension_months=row.months,
                           document_number=row.document_number, note=row.note, detail_key=row.detail_key,
                           target_key=target_key)

    @staticmethod
    def _not_here(state: lifecycle.MemberState, in_force, own) -> str:
        return (f"该党员当日的组织关系在「{state.org_name(in_force.organization_id) or '其他党组织'}」，与所在党组织"
                f"「{own.name}」不一致")

    @staticmethod
    def _column(event: LedgerEvent, problem_field: str) -> str:
        if problem_field == "变动情形":
            return HEADER[event.detail_key]
        if problem_field == "党组织":
            return HEADER[event.target_key]
        return HEADER.get(_PROBLEM_FIELDS.get(problem_field, ""), HEADER["kind"])

    def _report(self, number: int, event: LedgerEvent, problems, issues: Issues) -> bool:
        """Report ``problems`` on the row's columns; True when one blocks."""
        blocking = False
        for problem in problems:
            column = self._column(event, problem.field)
            if problem.warning:
                issues.warning(number, column, with_source(problem))
            else:
                issues.error(number, column, with_source(problem))
                blocking = True
        return blocking

    def _check_scope(self, plan: LedgerPlan, issues: Issues) -> None:
        """What ``event_record`` will require: ``party.change`` on the member's organization (decreases,
        转正, transfers) and on the receiving one of a transfer, ``party.add`` on the receiving organization
        of an increase. Two queries."""
        change_ids = {e.anchor for e in plan.events if e.anchor} | {
            e.to_organization_id for e in plan.events if e.kind == "transfer"}
        add_ids = {e.to_organization_id for e in plan.events if e.kind in INCREASE_KINDS}
        may_change = set(PartyOrganization.objects.restrict(self.user, "change", label="party")
                         .filter(pk__in=sorted(change_ids)).values_list("pk", flat=True)) if change_ids else set()
        may_add = set(PartyOrganization.objects.restrict(self.user, "add", label="party")
                      .filter(pk__in=sorted(add_ids)).values_list("pk", flat=True)) if add_ids else set()
        for event in plan.events:
            if event.kind not in INCREASE_KINDS and event.anchor and event.anchor not in may_change:
                issues.error(event.number, HEADER["id_number"], "您没有修改该党员组织关系的权限（需要党员信息的修改权限）")
            elif event.kind == "transfer" and event.to_organization_id not in may_change:
                issues.error(event.number, HEADER[event.target_key], "您没有修改该党组织党员信息的权限，不能转入该党组织")
            elif event.kind in INCREASE_KINDS and event.to_organization_id not in may_add:
                issues.error(event.number, HEADER[event.target_key], "您没有在该党组织新增党员的权限")

    def count(self, plan: LedgerPlan, result: ImportResult) -> None:
        result.created, result.updated, result.unchanged = len(plan.events), 0, plan.recorded
        result.details = {"events": {_label(k): n for k, n in sorted(plan.counts.items()) if n}}

    # --- writing (inside the transaction) --------------------------------------------------------------------
    def write(self, plan: LedgerPlan, result: ImportResult, ticker: Ticker) -> None:
        """``event_record`` per event, in date order; the errors of every failing row are collected, then the
        whole file is rolled back (``ImportFailed``)."""
        from zugong.party.services import event_record

        errors: list[RowError] = []
        for event in plan.events:
            try:
                event_record(user=self.user, person_id=event.person_id, kind=event.kind, detail=event.detail,
                             date=event.date, to_organization_id=event.to_organization_id,
                             counterpart=event.counterpart, reason_category=event.reason_category, reason=event.reason,
                             extension_months=event.extension_months, document_number=event.document_number,
                             note=event.note, today=self.today)
            except ValidationFailed as exc:
                errors += [RowError(event.number, self._column(event, e.column), e.reason) for e in exc.errors]
            except OutOfScope as exc:
                errors.append(RowError(event.number, HEADER["id_number"], exc.message))
            ticker.step()
        if errors:
            raise ImportFailed(errors)
        self.count(plan, result)

    def audit_data(self, result: ImportResult) -> dict:
        return {"events": result.details.get("events", {})}


_RECORDED = object()
"""``LedgerImporter._event``'s answer for a row whose event is on record already."""


def _label(kind: str) -> str:
    return EVENT_KIND.label(kind)


def import_changes(file_obj_or_path, *, user, filename: str = "", dry_run: bool = False, progress=None,
                   mapping: dict[str, str] | None = None, today: dt.date | None = None) -> ImportResult:
    """Import a 党员变动台账 (.xlsx, .xls or .csv) as ``user``; see the module docstring.

    Returns ``ImportResult``: ``created`` = events recorded, ``unchanged`` = rows already on record,
    ``details["events"]`` = ``{"出党": n, …}`` by kind. ``dry_run``: check everything, record nothing.
    Raises ``ValidationFailed`` (``ImportFailed`` with every ``RowError``: row, column, Chinese reason with
    its article) — nothing written — and ``PermissionDeniedError`` without a ``party.import`` grant.
    ``today``: the reference day of the date checks (tests)."""
    importer = LedgerImporter(user=user, today=today)
    return run_import(importer, file_obj_or_path, filename=filename, dry_run=dry_run, progress=progress,
                      mapping=mapping)


def changes_template() -> bytes:
    """An empty 党员变动台账 template (headers, drop-down lists, a 「说明」 sheet)."""
    from zugong.core.files import VALUES_SHEET, xlsx_bytes

    notes = [
        "每行登记一名党员的一次变动；表头按名称识别，顺序可调整；带 * 的列必填。",
        f"变动类型：{'、'.join(CHANGE_KIND.entries.values())}；在单元格的下拉列表中选择，可选值见「{VALUES_SHEET}」表。",
        "出党：在「出党方式」中填写 开除党籍、退党除名、劝退、劝而不退除名、自行脱党除名、取消预备党员资格 或 不予承认"
        "（也可直接把出党方式填在变动类型中）；「原因」可填党内统计年报第十一表的原因类别。",
        "转入、转出、组织关系转接须填写「对方党组织」：本系统中您管理范围内的党组织按组织关系转接登记；系统外的党组织照录名称。",
        "恢复党籍、转入等增加：「所在党组织」填写接收的党组织（不填则为该党员最后所在的党组织）。",
        "延长预备期：在「延长预备期时间」中填写 6个月、12个月、半年、一年 或月数。转正：「转正情况」不填为按期转正。",
        "党员须已在本系统登记（新发展、从系统外转入的党员请通过「导入党员花名册」登记，填写进入类型和进入日期）。",
        "任何一行有错误则全部不写入；同一文件重复导入不会重复登记。",
    ]
    return xlsx_bytes(headers=[c.template_header for c in LEDGER_COLUMNS], rows=[], sheet_title="党员变动",
                      formats=[c.format for c in LEDGER_COLUMNS], notes=notes)

