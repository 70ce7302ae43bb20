"""Tabs and actions of the cadre profile page (``cadres.record``), registered by the other parts so no two
parts edit one template: ``register_panel`` (a tab: template + context provider) and ``register_action``
(a button: a URL taking the cadre's pk). Providers are dotted paths or callables
``provider(user, cadre, request) -> dict``; ``permission`` is a ``"<label>.<action>"`` the user must hold
on the cadre (checked by ``panels_for``/``actions_for`` with ``core.scoping.can``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class CadrePanel:
    name: str
    label: str
    template: str
    provider: object
    order: int
    permission: str = "cadre.view"


@dataclass(frozen=True)
class CadreAction:
    name: str
    label: str
    url_name: str
    order: int
    permission: str = "cadre.view"


_PANELS: dict[str, CadrePanel] = {}
_ACTIONS: dict[str, CadreAction] = {}


def register_panel(*, name: str, label: str, template: str, provider, order: int,
                   permission: str = "cadre.view") -> None:
    """A tab of the cadre page (idempotent by ``name``)."""
    _PANELS[name] = CadrePanel(name, label, template, provider, order, permission)


def register_action(*, name: str, label: str, url_name: str, order: int, permission: str = "cadre.view") -> None:
    """A button of the cadre page linking to ``reverse(url_name, args=[cadre.pk])`` (idempotent by ``name``)."""
    _ACTIONS[name] = CadreAction(name, label, url_name, order, permission)


def _allowed(user, cadre, permission: str) -> bool:
    from zugong.core.scoping import can

    label, _, action = permission.partition(".")
    return can(user, label, action, cadre.unit)


def visible_panels(user, cadre) -> list[CadrePanel]:
    """The tabs ``user`` may see on ``cadre``'s page (their ``permission`` on its unit), in order."""
    return [p for p in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)) if _allowed(user, cadre, p.permission)]


def provider_of(panel: CadrePanel):
    """The panel's provider callable (a dotted path is imported)."""
    return import_string(panel.provider) if isinstance(panel.provider, str) else panel.provider


def panels_for(user, cadre, request) -> list[tuple[CadrePanel, dict]]:
    """The tabs ``user`` may see on ``cadre``'s page, in order, each with its provider's context."""
    return [(panel, provider_of(panel)(user, cadre, request)) for panel in visible_panels(user, cadre)]


def actions_for(user, cadre) -> list[CadreAction]:
    """The buttons ``user`` may use on ``cadre``'s page, in order."""
    return [a for a in sorted(_ACTIONS.values(), key=lambda a: (a.order, a.name)) if _allowed(user, cadre, a.permission)]
