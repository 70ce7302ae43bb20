"""Keep the shipped grading schemes (``choices.BUILTIN_SCHEMES``: "五好", "四强") in the database after every
``migrate`` — a ``post_migrate`` handler, not a data migration, so a flushed test database gets them back.

Idempotent: a scheme, criterion or level is created when missing and its shipped fields are reset when it
exists (name, description, maximum score, threshold, order); rows a deployment added to a built-in scheme
are left alone, and criteria already used by a grading are never deleted."""

from __future__ import annotations

from decimal import Decimal

from zugong.grading.choices import BUILTIN_SCHEMES, DEFAULT_LEVELS


def sync_builtin_schemes(using: str = "default") -> None:
    """Create or update each built-in scheme with its criteria and levels (see the module docstring)."""
    from zugong.grading.models import GradingCriterion, GradingLevel, GradingScheme

    for spec in BUILTIN_SCHEMES:
        scheme, _ = GradingScheme.objects.using(using).update_or_create(
            code=spec["code"], defaults={"name": spec["name"], "description": spec["description"], "is_builtin": True})
        for order, (code, name, max_score, guidance) in enumerate(spec["criteria"], start=1):
            GradingCriterion.objects.using(using).update_or_create(
                scheme=scheme, code=code,
                defaults={"name": name, "max_score": Decimal(max_score), "order": order, "guidance": guidance})
        for code, name, min_total, order in DEFAULT_LEVELS:
            GradingLevel.objects.using(using).update_or_create(
                scheme=scheme, code=code, defaults={"name": name, "min_total": Decimal(min_total), "order": order})
