"""Scoped reads of the cadre record pages and API (``cadres.record``). Every read goes through
``Model.objects.restrict(user, action)`` (unit tree, label ``cadre``; ``assessment`` for 年度考核) or the
shared ``cadres.selectors``; templates get everything prefetched (no query in a template).

- ``cadre_list`` / ``cadre_get``: the cadres in scope, person and unit joined;
- ``child_get``: one 学历/简历/家庭成员/考核 row with its cadre (both in scope);
- ``photo_get``: a photo in scope (the bytes are served by ``views.PhotoView``);
- ``unit_tree``: the left tree of the 干部名册 (units where the user holds ``cadre.view``);
- ``cadre_profile``: everything the profile page shows, in a fixed number of queries;
- ``cadre_history``: the audit events of the cadre (历史 tab);
- ``render_panels``: the tabs other parts register (``cadres.panels``), each rendered on its own so a
  failing provider or template shows a note instead of breaking the page.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString

from zugong.cadres import panels
from zugong.cadres.choices import RANK
from zugong.cadres.models import AnnualAssessment, Cadre, CadrePhoto
from zugong.cadres.record.services import KINDS
from zugong.cadres.record.validators import month_text, resume_warnings
from zugong.cadres.selectors import PostFacts, cadres_in_scope, post_facts
from zugong.core.scoping import can
from zugong.orgs.models import Unit

log = logging.getLogger(__name__)


def cadre_list(*, user, action: str = "view") -> QuerySet[Cadre]:
    """The cadres ``user`` holds ``cadre.<action>`` on, with person and unit joined (one query a page)."""
    return cadres_in_scope(user, action)


def cadre_get(*, user, pk: int, action: str = "view") -> Cadre | None:
    """The cadre ``pk`` if in ``user``'s ``cadre.<action>`` scope, else ``None``."""
    return cadres_in_scope(user, action).filter(pk=pk).first()


def cadre_for_assessment(*, user, pk: int, action: str = "add") -> Cadre | None:
    """The cadre ``pk`` if ``user`` sees it (``cadre.view``); the assessment right is the service's check."""
    return cadres_in_scope(user, "view").filter(pk=pk).first()


def child_get(kind: str):
    """A ``get_selector`` for child records of ``kind``: ``(*, user, pk, action) -> record | None`` — the
    record in ``<label>.<action>`` scope whose cadre the user also sees (``cadre.view``)."""
    model = KINDS[kind].model

    def get(*, user, pk: int, action: str = "view"):
        visible = Cadre.objects.restrict(user, "view").values("pk")
        return (model.objects.restrict(user, action).filter(pk=pk, cadre__in=visible)
                .select_related("cadre", "cadre__person", "cadre__unit").first())

    get.__name__ = f"{kind}_get"
    return get


def photo_get(*, user, pk: int, action: str = "view") -> CadrePhoto | None:
    """The photo ``pk`` if its cadre is in ``user``'s ``cadre.<action>`` scope (with the bytes)."""
    return CadrePhoto.objects.restrict(user, action).filter(pk=pk).first()


def units_for(*, user, action: str = "add", limit: int = 500) -> list[Unit]:
    """The units where ``user`` holds ``cadre.<action>`` in tree order (code and name; at most ``limit``),
    offered when a cadre is entered."""
    return list(Unit.objects.restrict(user, action, label="cadre").order_by("path").only("code", "name")[:limit])


# ----- the unit tree of the roster --------------------------------------------------------------------------


@dataclass
class TreeNode:
    """One unit of the roster's tree: ``unit``, its ``depth`` below the top shown (0 = a root of the
    scope), whether it has sub-units in scope (``has_children``) and whether they are shown (``open``)."""

    unit: Unit
    depth: int
    has_children: bool
    open: bool
    selected: bool = False
    children: list = field(default_factory=list)


def unit_tree(*, user, selected: Unit | None = None) -> list[TreeNode]:
    """The units where ``user`` holds ``cadre.view``, as a tree for the roster's left side: the roots of
    the scope and their sub-units, and the sub-units of every unit on the way to ``selected`` (and of
    ``selected``) — clicking a unit opens it. One query (a path-prefix condition per shown parent)."""
    scoped = Unit.objects.restrict(user, "view", label="cadre")
    top = scoped.order_by("depth").values_list("depth", flat=True).first()
    if top is None:
        return []
    condition = Q(depth__lte=top + 1)
    if selected is not None:
        steplen = Unit.steplen
        for end in range(steplen * top, len(selected.path) + 1, steplen):
            prefix = selected.path[:end]
            condition |= Q(path__startswith=prefix, depth=end // steplen + 1)
    units = list(scoped.filter(condition).order_by("path").only("pk", "code", "name", "path", "depth", "numchild",
                                                                 "status"))
    nodes: dict[str, TreeNode] = {}
    roots: list[TreeNode] = []
    shown = {u.path for u in units}
    for unit in units:
        open_ = selected is not None and (selected.path.startswith(unit.path))
        node = TreeNode(unit=unit, depth=unit.depth - top, has_children=unit.numchild > 0, open=open_ or unit.depth == top,
                        selected=selected is not None and unit.pk == selected.pk)
        nodes[unit.path] = node
        parent = unit.path[:-Unit.steplen]
        if parent in nodes and parent in shown:
            nodes[parent].children.append(node)
        else:
            roots.append(node)
    return roots


# ----- the profile page ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResumeLine:
    """One résumé line as the tab shows it: ``1994.09--1998.07`` (open end: 7 spaces) and the entry."""

    entry: object
    period: str
    warning: bool


@dataclass(frozen=True)
class CadreProfile:
    """What the profile page shows of ``cadre`` on ``as_of``: post facts (``cadres.selectors.post_facts``),
    the educations by category, the résumé lines with their continuity warnings, the family, the
    assessments (``None`` without ``assessment.view``), the photo (without its bytes) and the rights."""

    cadre: Cadre
    as_of: dt.date
    facts: PostFacts
    full_time: list
    in_service: list
    resume: list[ResumeLine]
    resume_warnings: list
    family: list
    assessments: list | None
    photo: CadrePhoto | None
    may_change: bool
    may_delete: bool
    may_assess: bool
    age: int
    rank_label: str = ""


def cadre_profile(*, user, cadre: Cadre, as_of: dt.date) -> CadreProfile:
    """The profile of ``cadre`` (already fetched through ``cadre_get``) for ``user`` on ``as_of``: 7
    queries whatever the number of rows (post facts 2, educations, résumé, family, assessments, photo)."""
    educations = list(cadre.educations.all().order_by("category", "position", "pk"))
    entries = list(cadre.resume_entries.all().order_by("position", "pk"))
    warnings = resume_warnings(entries)
    flagged = {i for w in warnings for i in w.lines}
    resume = [ResumeLine(e, f"{month_text(e.start_date)}--{month_text(e.end_date) if e.end_date else ' ' * 7}",
                         i in flagged) for i, e in enumerate(entries)]
    may_assess = can(user, "assessment", "view", cadre.unit)
    assessments = (list(AnnualAssessment.objects.restrict(user, "view").filter(cadre=cadre).order_by("-year"))
                   if may_assess else None)
    photo = CadrePhoto.objects.filter(cadre=cadre).defer("content").first()
    facts = post_facts([cadre], as_of, user=user)[cadre.pk]
    return CadreProfile(
        cadre=cadre, as_of=as_of, facts=facts,
        full_time=[e for e in educations if e.category == "full_time"],
        in_service=[e for e in educations if e.category == "in_service"],
        resume=resume, resume_warnings=warnings,
        family=list(cadre.family_members.all().order_by("position", "pk")),
        assessments=assessments, photo=photo,
        may_change=can(user, "cadre", "change", cadre.unit), may_delete=can(user, "cadre", "delete", cadre.unit),
        may_assess=can(user, "assessment", "add", cadre.unit), age=cadre.person.age_on(as_of),
        rank_label=RANK.label(facts.rank) if facts.rank else "",
    )


def cadre_history(*, cadre: Cadre, limit: int = 200) -> list:
    """The audit events of ``cadre`` (its own change log and the ``cadre_*`` events of the services, which
    name the cadre as their object), newest first, at most ``limit``. One query."""
    from zugong.audit.choices import kind_label
    from zugong.audit.models import AuditEvent

    events = list(AuditEvent.objects.filter(object_type="cadres.cadre", object_id=str(cadre.pk))
                  .order_by("-id").only("created_at", "actor_username", "kind", "summary")[:limit])
    for event in events:
        event.kind_label = kind_label(event.kind)
    return events


# ----- the tabs and buttons of other parts ------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedPanel:
    """A registered tab, rendered: ``name`` (its id: ``#tab-<name>``), ``label`` and ``html`` (or the note
    shown when its provider or template failed: ``failed``)."""

    name: str
    label: str
    html: str
    failed: bool = False


def render_panels(*, user, cadre: Cadre, request) -> list[RenderedPanel]:
    """The tabs of ``cadres.panels`` that ``user`` may see on ``cadre`` (their ``permission`` on the cadre's
    unit), in order. Each provider ``(user, cadre, request) -> dict | None`` is called and its template
    rendered with the dict's keys as variables and the dict itself as ``p`` (both styles work:
    ``{{ rows }}`` and ``{{ p.rows }}``), plus ``cadre``, ``user``, ``request``, ``panel`` and the CSRF
    token (``{% csrf_token %}`` works in a tab's forms); ``None`` leaves the tab out. A provider or template that raises is logged and its tab shows a short note, so one part's
    failure does not take the cadre page down."""
    out = []
    for panel in panels.visible_panels(user, cadre):
        try:
            context = panels.provider_of(panel)(user, cadre, request)
            if context is None:
                continue
            html = render_to_string(panel.template, {"cadre": cadre, "user": user, "request": request,
                                                     "csrf_token": get_token(request), "panel": panel,
                                                     **context, "p": context})
        except Exception:  # noqa: BLE001 — one part's tab must not break the page; logged with its traceback
            log.exception("cadre panel %s failed for cadre %s", panel.name, cadre.pk)
            out.append(RenderedPanel(panel.name, panel.label, "", failed=True))
            continue
        out.append(RenderedPanel(panel.name, panel.label, SafeString(html)))  # nosec B703 -- autoescaped template output
    return out


@dataclass(frozen=True)
class ActionLink:
    label: str
    href: str


def action_links(*, user, cadre: Cadre) -> list[ActionLink]:
    """The buttons of ``cadres.panels.actions_for`` with their URLs (an action whose URL does not reverse is
    left out and logged)."""
    links = []
    for action in panels.actions_for(user, cadre):
        try:
            links.append(ActionLink(action.label, reverse(action.url_name, args=[cadre.pk])))
        except NoReverseMatch:
            log.warning("cadre action %s: no URL %s", action.name, action.url_name)
    return links
