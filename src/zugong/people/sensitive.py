"""Sensitive values of a person (公民身份号码, 手机号码): shown masked everywhere; the plaintext only through
``person_unmask`` — a separate request with a reason, by a user holding ``basic.unmask`` on the person's
organization, audited (PIPL Art. 28/51; GB/T 35273-2020 §7.3 展示限制; GB/T 22239-2019 8.1.4.8
个人信息保护). The audit row names the person and the reason, never the number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from zugong.audit.services import record_event
from zugong.core.errors import OutOfScope, RowError, ValidationFailed
from zugong.people.models import Person

MIN_REASON_LENGTH = 2


@dataclass(frozen=True)
class Unmasked:
    """Plaintext values returned by ``person_unmask`` (never stored or logged)."""

    person: Person
    id_number: str
    phone: str


@transaction.atomic
def person_unmask(*, user, person_id: int, reason: str) -> Unmasked:
    """Decrypt the ID number and phone of person ``person_id`` for ``user``.

    ``reason`` (查看事由) is required, at least 2 characters, control characters removed, ≤200 kept.
    Raises ``ValidationFailed`` for a missing reason and ``OutOfScope`` when the user lacks
    ``basic.unmask`` on the person's organization (the person does not exist for him). Audited as
    ``unmask`` (person id, masked number, reason; no name: PIPL Art. 51 minimisation); the audit write
    happens before decryption is returned, so no plaintext leaves without its audit row."""
    reason = " ".join("".join(ch if ch.isprintable() else " " for ch in str(reason or "")).split())[:200]
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationFailed([RowError(0, "查看事由", f"请填写查看事由（至少 {MIN_REASON_LENGTH} 个字）")],
                               message=f"请填写查看事由（至少 {MIN_REASON_LENGTH} 个字）。")
    person = Person.objects.restrict(user, "unmask").filter(pk=person_id).first()
    if person is None:
        raise OutOfScope()
    record_event("unmask", user=user, object_type="people.person", object_id=person.pk,
                 summary=f"查看人员 #{person.pk} 的公民身份号码、手机号码明文",
                 data={"reason": reason, "fields": ["id_number", "phone"], "id_number_masked": person.id_number_masked})
    return Unmasked(person=person, id_number=person.id_number, phone=person.phone)
