"""Keep the built-in roles (``choices.BUILTIN_ROLES``) in the database, after every ``migrate``."""

from __future__ import annotations

from zugong.accounts.choices import BUILTIN_ROLES


def sync_builtin_roles(using: str = "default") -> None:
    """Create or update each built-in role (code, name, permissions, admin kind, description)."""
    from zugong.accounts.models import Role

    for spec in BUILTIN_ROLES:
        Role.objects.using(using).update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "permissions": spec["permissions"],
                "admin_kind": spec.get("admin_kind", ""),
                "description": spec.get("description", ""),
                "is_builtin": True,
            },
        )
