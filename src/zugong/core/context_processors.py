"""Template context: the left navigation, filtered by what the user may see.

The entries are registered by each app (``core.registry.register_nav`` in its ``AppConfig.ready``)."""

from __future__ import annotations

from zugong.core.registry import navigation_for


def navigation(request):
    """``nav``: list of (section title, [(label, url name)]) the current user may open."""
    return {"nav": navigation_for(getattr(request, "user", None))}
