"""Resolving the organization a row of another system's file names (issue #9, item 3).

CONTRACT STUB (session 5): the interface below is what the importers call; the first version only
resolves an exact 组织代码. The full version resolves by code, full name, short name, path or a stored
external identifier (``external_id``), normalises names (中共/中国共产党 prefix, full and short forms of
the organization type, a place prefix the stored name lacks) and reports ambiguous or unknown names
with the candidates inside the user's scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from zugong.orgs.models import PartyOrganization


@dataclass(frozen=True)
class OrgMatch:
    """The answer for one cell: ``organization`` (``None`` when unresolved), a Chinese ``warning`` (matched
    only after normalisation, or by a code that lost its leading zeros) and a Chinese ``error``
    (unknown, out of scope — same text as unknown —, ambiguous with the candidates named)."""

    organization: PartyOrganization | None
    warning: str = ""
    error: str = ""


class OrganizationMatcher:
    """Resolves organization references against the organizations in ``user``'s ``label.action`` scope
    (loaded once; answers memoised per text), so a 100,000-row file costs one query.

    ``resolve(text, *, external_id="", system="")`` → ``OrgMatch``: ``text`` is a code, a full or short
    name or a path (``/``, ``>``, ``－`` separated names from the root down); ``external_id`` is another
    system's identifier (党组织唯一标识, 所在党支部编码), looked up first when given."""

    def __init__(self, user, *, label: str = "party", action: str = "import"):
        self.user, self.label, self.action = user, label, action
        self._by_code: dict[str, PartyOrganization] | None = None

    def _load(self) -> dict[str, PartyOrganization]:
        if self._by_code is None:
            scoped = PartyOrganization.objects.restrict(self.user, self.action, label=self.label)
            self._by_code = {o.code: o for o in scoped.only("id", "code", "name", "path", "org_type", "status")}
        return self._by_code

    def resolve(self, text: str, *, external_id: str = "", system: str = "") -> OrgMatch:
        text = (text or "").strip()
        if not text and not external_id:
            return OrgMatch(None, error="必填项为空")
        org = self._load().get(text)
        if org is None:
            return OrgMatch(None, error=f"党组织「{text or external_id}」不存在或不在您的管理范围内")
        return OrgMatch(org)
