"""Re-mask the stored ``Person.id_number_masked`` to the check-character-only form ``*****************X``.

The old mask (``110105********002X``: region, sequence and check character kept) together with the
birth date shown beside it gave the whole number away (``docs/security.md`` §4). The new mask keeps
only character 18, which the old mask also kept, so it is computed from the stored mask alone — no
decryption, no key needed — in SQL (``'*' × 17 || SUBSTR(masked, 18, 1)``, the same on SQLite and
PostgreSQL), ``BATCH`` rows (by primary-key range) per statement and transaction. The migration is not
atomic as a whole: an interrupted run keeps the batches done, and running it again only touches rows
still in an old form. Reversing it leaves the new mask (safe; the old one cannot be rebuilt without the
key and is not wanted back).
"""

from django.db import migrations, transaction
from django.db.models import Max, Min, Value
from django.db.models.functions import Concat, Length, Substr

BATCH = 5000
MASKED_PREFIX = "*" * 17  # = zugong.core.idnumber.MASKED_PREFIX (frozen here: migrations must not change)


def remask_id_numbers(apps, schema_editor):
    """Rewrite every non-empty ``id_number_masked`` not yet in the new form, ``BATCH`` rows at a time."""
    Person = apps.get_model("people", "Person")
    stale = Person.objects.exclude(id_number_masked="").exclude(id_number_masked__startswith=MASKED_PREFIX)
    bounds = stale.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    for start in range(bounds["low"], bounds["high"] + 1, BATCH):
        with transaction.atomic(using=schema_editor.connection.alias):
            batch = stale.filter(pk__gte=start, pk__lt=start + BATCH)
            batch.annotate(masked_length=Length("id_number_masked")).filter(masked_length=18).update(
                id_number_masked=Concat(Value(MASKED_PREFIX), Substr("id_number_masked", 18, 1)))
            # never produced by the old mask of a valid number; masked entirely rather than left revealing
            for pk, masked in batch.values_list("pk", "id_number_masked"):
                Person.objects.filter(pk=pk).update(id_number_masked="*" * len(masked))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("people", "0003_prune_indexes"),
    ]

    operations = [
        migrations.RunPython(remask_id_numbers, migrations.RunPython.noop, elidable=False),
    ]
