"""Registrations of the cadres part ``reserve`` (navigation, views, API, to-dos)."""


def register(app_label: str) -> None:
    """Called from ``CadresConfig.ready()``."""
