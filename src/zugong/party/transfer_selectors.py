"""Scoped reads of 组织关系转接 (``MembershipTransfer``, issue #10): the pages, the API, the services and the
home page's to-do read transfers only through these functions.

**Both sides.** A transfer's scope anchor is the sending organization (``from_organization``), but the
receiving side must see the transfers addressed to it: every selector here matches a transfer when its
``from_organization`` **or** its ``to_organization`` lies in the user's ``party.<action>`` scope (two
path-prefix conditions in SQL, ``core.scoping.scope_q``). A transfer from outside Zugong (``direction="in"``,
no sending organization) is seen by its receiving side only. What a receiving user sees of a pending
transfer is the transfer itself — the member's name, sex, age, ethnicity, category and the masked ID number
that the 介绍信 carries —, never the member's record: the person, the roster row and the person page stay
out of the receiver's scope until the transfer is accepted (the person's scope anchor moves then).

**The receiving-organization picker** (``transfer_target_pick``, ``transfer_target_get``) is a deliberate,
limited disclosure: a user who may start transfers (``party.change`` somewhere) may find *any* active
organization that holds members (党委、党工委、党总支、党支部、联合党支部、临时党支部) by name or code —
name, code and the names of its superiors only, at most 20 per search, never members, counts or other
fields — because a member moves to organizations outside the sender's scope (another township, another
county). The same names are what a paper 介绍信 carries. A transfer service given an organization's id or
code outside the scope also finds it (``transfer_target_get``) so that its refusal can say why: the name, and
for a 党小组/党组, a dissolved or a not yet founded organization its type and the date. Nothing else about
those organizations is readable, and the API offers no search outside the scope (it takes the code).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zugong.core.codes import ORG_TYPES_HOLDING_MEMBERS
from zugong.core.scoping import can, scope_q, user_scope
from zugong.orgs.models import PartyOrganization
from zugong.party.models import MembershipTransfer

TARGET_PICK_LIMIT = 20
"""At most this many organizations per picker search (the disclosure stays small)."""


def either_side(user, action: str = "view") -> Q:
    """Transfers whose sending or receiving organization lies in ``user``'s ``party.<action>`` scope."""
    nodes = user_scope(user, "party", action)
    return scope_q(nodes, "from_organization") | scope_q(nodes, "to_organization")


def transfer_list(*, user, action: str = "view") -> QuerySet[MembershipTransfer]:
    """Every transfer ``user`` sees (outgoing: sent from the scope; incoming: addressed to it), newest
    first, with the person, the person's party record and both organizations joined (the list, the API and
    the letter show them: no query per row)."""
    return (MembershipTransfer.objects.filter(either_side(user, action))
            .select_related("person", "person__party_member", "from_organization", "to_organization")
            .order_by("-sent_date", "-pk"))


def transfer_get(*, user, pk: int, action: str = "view") -> MembershipTransfer | None:
    """The transfer ``pk`` if ``user`` sees it on either side with ``party.<action>``, else ``None``."""
    return transfer_list(user=user, action=action).filter(pk=pk).first()


def transfer_incoming_pending(*, user, action: str = "change") -> QuerySet[MembershipTransfer]:
    """Pending transfers addressed to an organization in ``user``'s ``party.<action>`` scope (the
    receiving side's to-do), oldest first."""
    nodes = user_scope(user, "party", action)
    return (MembershipTransfer.objects.filter(scope_q(nodes, "to_organization"), state="pending")
            .select_related("person", "from_organization", "to_organization").order_by("sent_date", "pk"))


def pending_transfer_of(*, person_id: int) -> MembershipTransfer | None:
    """The person's pending transfer (at most one: ``party_transfer_one_pending_per_person``), for the
    services' guard — called only after the caller has found the person in its own scope."""
    return (MembershipTransfer.objects.filter(person_id=person_id, state="pending")
            .select_related("to_organization").first())


def may_receive(user, transfer: MembershipTransfer) -> bool:
    """Whether ``user`` may accept or return ``transfer``: ``party.add`` on its receiving organization."""
    return transfer.to_organization is not None and can(user, "party", "add", transfer.to_organization)


def may_send(user, transfer: MembershipTransfer) -> bool:
    """Whether ``user`` acts for the sending side of ``transfer``: ``party.change`` on its sending
    organization."""
    return transfer.from_organization is not None and can(user, "party", "change", transfer.from_organization)


# ----- the receiving-organization picker (deliberate, limited disclosure: see the module docstring) ----------

def _targets() -> QuerySet[PartyOrganization]:
    return PartyOrganization.objects.filter(status="active", org_type__in=ORG_TYPES_HOLDING_MEMBERS)


def transfer_target_pick(*, user, text: str, limit: int = TARGET_PICK_LIMIT) -> list[PartyOrganization]:
    """Active organizations holding members whose name contains ``text`` or whose code starts with it, in
    tree order, at most ``limit`` (≤ 20), **inside or outside the user's scope** — for a user holding
    ``party.change`` somewhere (anyone else: ``[]``). Only ``pk``, ``code``, ``name``, ``path`` are loaded;
    each result gets ``.ancestor_names`` (the names of its superiors, from the top) so that two branches
    of the same name in different townships can be told apart. One query for the matches, one for the
    superiors' names."""
    text = (text or "").strip()[:100]
    if not text or not can(user, "party", "change"):
        return []
    results = list(_targets().filter(Q(name__icontains=text) | Q(code__istartswith=text))
                   .only("pk", "code", "name", "path", "status").order_by("path")[:min(limit, TARGET_PICK_LIMIT)])
    steplen = PartyOrganization.steplen
    prefixes = {r.path[:i] for r in results for i in range(steplen, len(r.path), steplen)}
    names = dict(PartyOrganization.objects.filter(path__in=prefixes).values_list("path", "name")) if prefixes else {}
    for r in results:
        r.ancestor_names = [names[r.path[:i]] for i in range(steplen, len(r.path), steplen) if r.path[:i] in names]
    return results


def transfer_target_get(*, user, pk: int | None = None, code: str | None = None) -> PartyOrganization | None:
    """The organization a transfer may be addressed to, by ``pk`` or ``code`` — any organization (the
    services check that it is active, holds members and existed on the date, and say why not), inside or
    outside the user's scope, for a user holding ``party.change`` somewhere; ``None`` when there is none
    (or for anyone else). The caller shows only its name and code."""
    if not can(user, "party", "change"):
        return None
    if pk is not None:
        return PartyOrganization.objects.filter(pk=pk).first()
    if code:
        return PartyOrganization.objects.filter(code=code.strip()).first()
    return None
