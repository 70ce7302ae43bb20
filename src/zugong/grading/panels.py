"""The organization page's tab 「达标晋级」 (``core.registry.register_org_panel``): a branch's gradings across
years and its 软弱涣散 entries, with the links to record them; for a committee or general branch, links to
the lists of its subtree. Reads through ``grading.selectors`` (two queries for a branch)."""

from __future__ import annotations

from zugong.core.codes import ORG_TYPES_BRANCH, ORG_TYPES_HOLDING_MEMBERS
from zugong.core.scoping import can
from zugong.grading import selectors


def org_panel(user, organization, request) -> dict | None:
    """``None`` for a 党小组 (no grading); else the panel's context ``p``: ``label``, ``is_branch``,
    ``gradings`` (history, newest year first), ``weak`` (软弱涣散 entries), ``may_add`` / ``may_change``."""
    if organization.org_type not in ORG_TYPES_HOLDING_MEMBERS:
        return None
    is_branch = organization.org_type in ORG_TYPES_BRANCH
    return {
        "label": "达标晋级",
        "is_branch": is_branch,
        "gradings": selectors.gradings_of(user=user, organization=organization) if is_branch else [],
        "weak": selectors.weak_entries_of(user=user, organization=organization),
        "schemes": selectors.scheme_list() if is_branch else [],
        "may_add": can(user, "party", "add", organization),
        "may_change": can(user, "party", "change", organization),
    }
