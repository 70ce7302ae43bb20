"""Person (人员): the one record of a human, shared by every role (member, cadre, talent).

Sensitive values are stored encrypted (SM4-GCM) with an HMAC-SM3 lookup hash for uniqueness and exact
search, plus a masked display copy (``*****************X``) so lists never decrypt:
``id_number_encrypted`` / ``id_number_hash`` / ``id_number_masked``, likewise for ``phone``.
Use ``Person.id_number`` (decrypts) only behind an unmask permission check.
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from zugong.core import crypto, idnumber
from zugong.core.codes import EDUCATION, ETHNICITY, POLITICAL_STATUS, SEX, TITLE_LEVEL
from zugong.core.dates import age_on
from zugong.core.scoping import BaseModel
from zugong.core.sealing import seal_id_number, seal_phone


class Person(BaseModel):
    """人员. Scope: ``organization`` — the party organization (or, for non-members, the organization
    whose records hold the person) that owns the record. Data label ``basic``.

    Ages are never stored: ``age_on(day)`` computes 周岁 on a given date. ``ethnicity`` and
    ``education_level`` may be blank (not recorded): ``ethnicity_label``/``education_label`` are then
    ``""`` and pages show 「未填」 (``core.codes.UNFILLED``)."""

    scope_org_field = "organization"
    data_label = "basic"

    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=SEX.choices)
    # blank = not recorded (a roster imported without 民族, issue #9): the record is incomplete, pages show
    # 「未填」 and the statistics count it in no group; hand entry still requires it (people.services).
    ethnicity = models.CharField("民族", max_length=2, choices=ETHNICITY.choices, blank=True)
    birth_date = models.DateField("出生日期")
    id_number_encrypted = models.TextField("公民身份号码（密文）", editable=False)
    id_number_hash = models.CharField("公民身份号码（检索摘要）", max_length=64, editable=False)
    id_number_masked = models.CharField("公民身份号码", max_length=18, editable=False)
    education_level = models.CharField("学历", max_length=2, choices=EDUCATION.choices, blank=True)
    political_status = models.CharField("政治面貌", max_length=2, choices=POLITICAL_STATUS.choices, blank=True)
    work_start_date = models.DateField("参加工作日期", null=True, blank=True)
    # 党内统计年报 (issue #10): 台湾省籍 (第二表) and the 专业技术职务 level (第二表 补充资料)
    taiwan_origin = models.BooleanField("台湾省籍", default=False, db_default=False)
    title_level = models.CharField("专业技术职务等级", max_length=20, choices=TITLE_LEVEL.choices, blank=True,
                                   default="", db_default="")
    phone_encrypted = models.TextField("手机号码（密文）", blank=True, editable=False)
    phone_hash = models.CharField("手机号码（检索摘要）", max_length=64, blank=True, editable=False)
    phone_masked = models.CharField("手机号码", max_length=20, blank=True, editable=False)
    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="people", verbose_name="所属组织",
                                     db_index=False)  # people_org_name_idx leads with organization_id

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        # Indexes are declared here, not with ``db_index``/``unique`` on the fields: on PostgreSQL those
        # add a second ``varchar_pattern_ops`` index per text column, useless for hashes and for the
        # name search (``icontains``), and every index costs the 100,000-row import time.
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="people_id_number_hash_uniq"),
        ]
        indexes = [
            models.Index(fields=["organization", "name"], name="people_org_name_idx"),
            # the roster sorted by name (party.paging): ordered like its ORDER BY (name, person_id), so the
            # database walks the index for a keyset page and stops after one page. On PostgreSQL migration
            # people.0007 adds (birth_date, id) the same way (not on SQLite: see that migration).
            models.Index(fields=["name", "id"], name="people_name_id_idx"),
            models.Index(fields=["phone_hash"], name="people_phone_hash_idx"),  # exact search by phone
            # 党内统计 (reports.services): the attributes the statistics read, so PostgreSQL joins people by
            # an index-only scan of this narrow index instead of the wide encrypted rows (−18% CPU at 10^6).
            models.Index(fields=["id", "birth_date", "sex", "ethnicity", "education_level"],
                         name="people_stats_cover_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    # --- sensitive values -------------------------------------------------------------------------
    def set_id_number(self, number: str) -> None:
        """Store ``number`` (already validated and normalised) encrypted, hashed and masked."""
        self.id_number_encrypted, self.id_number_hash, self.id_number_masked = seal_id_number(number)

    @property
    def id_number(self) -> str:
        """The plaintext ID number (decrypts; callers must check the unmask permission and audit)."""
        return crypto.cipher().decrypt(self.id_number_encrypted)

    def set_phone(self, phone: str) -> None:
        """Store ``phone`` encrypted, hashed and masked (``""`` clears it)."""
        self.phone_encrypted, self.phone_hash, self.phone_masked = seal_phone(phone)

    @property
    def phone(self) -> str:
        """The plaintext phone number (decrypts)."""
        return crypto.cipher().decrypt(self.phone_encrypted)

    @staticmethod
    def hash_id_number(number: str) -> str:
        """Lookup hash of a normalised ID number (for exact search)."""
        return crypto.cipher().lookup_hash(idnumber.normalize(number))

    # --- display helpers --------------------------------------------------------------------------
    def age_on(self, day: dt.date) -> int:
        """周岁 on ``day``."""
        return age_on(self.birth_date, day)

    @property
    def sex_label(self) -> str:
        return SEX.label(self.sex)

    @property
    def ethnicity_label(self) -> str:
        return ETHNICITY.label(self.ethnicity)

    @property
    def education_label(self) -> str:
        return EDUCATION.label(self.education_level)

    @property
    def political_status_label(self) -> str:
        return POLITICAL_STATUS.label(self.political_status)

    @property
    def title_level_label(self) -> str:
        """专业技术职务等级 (高级/中级/初级), ``""`` when none."""
        return TITLE_LEVEL.label(self.title_level)
