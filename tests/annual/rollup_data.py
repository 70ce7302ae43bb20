"""Data of the roll-up proof (``tests/annual/test_rollup.py``, issue #13 item 7): one province's tree with a
year of records, written into the database ``DATABASE_URL`` names, in a process of its own.

    python -m tests.annual.rollup_data --province GA --seed 11 [--province GB --seed 22 --national QG]

Each ``--province CODE --seed N`` pair runs the demo generator (``zugong.demo.generator.generate``: members,
former members, two years of events of every kind, 流动/失联 statuses, terms, units, the pipeline, a year of
party life) with ``members=--members`` and that seed, then renames the generated codes from the demo's ``QS``
prefix to ``CODE`` (organizations and units), so the two provinces have distinct 组织代码 and a second run
can follow in the same database. ``--national CODE`` then puts every province under one new root of type
党工委 (``working_committee``: not one of the three kinds 第二十四表 counts, so the national root adds no
figure of its own) — the "one database holding both trees". ``--user NAME`` is created with the role
组织部门管理员 at every top organization (the CLI's ``--user``). Prints one JSON line ``{"roots": {code: path}}``.

Runs under ``ZUGONG_DEBUG=1`` (the generator refuses production settings).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os


def _rename(prefix: str) -> None:
    from django.db.models import F, Value
    from django.db.models.functions import Concat, Substr

    from zugong.branches.models import SecretaryCertificate
    from zugong.orgs.models import PartyOrganization, Unit

    for model in (PartyOrganization, Unit):
        model.objects.filter(code__startswith="QS").update(code=Concat(Value(prefix), Substr(F("code"), 3)))
    # the generator numbers the secretaries' certificates alike in every run (a unique column)
    SecretaryCertificate.objects.exclude(number__contains="/").update(number=Concat(Value(f"{prefix}/"), F("number")))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--province", action="append", required=True)
    parser.add_argument("--seed", action="append", type=int, required=True)
    parser.add_argument("--members", type=int, default=1500)
    parser.add_argument("--national")
    parser.add_argument("--user", default="rollup")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zugong.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from zugong.accounts.services import grant_role
    from zugong.demo.generator import generate
    from zugong.orgs.models import PartyOrganization

    roots = {}
    for code, seed in zip(args.province, args.seed, strict=True):
        summary = generate(members=args.members, seed=seed, workers=0, cadres=False)
        _rename(code)
        roots[code] = summary.root_id
    if args.national:
        with transaction.atomic():
            manager = PartyOrganization.objects
            national = manager.add_root({"code": args.national, "name": "全国汇总（测试）",
                                         "org_type": "working_committee", "founded_date": dt.date(1921, 7, 1)})
            for pk in roots.values():
                manager.move(manager.get(pk=pk), manager.get(pk=national.pk), "last-child")
    user = get_user_model().objects.create_user(username=args.user, password=None, full_name=args.user)
    for top in PartyOrganization.objects.filter(depth=1):
        grant_role(user=user, role_code="org_department", organization=top)
    print(json.dumps({"roots": {o.code: o.path for o in PartyOrganization.objects.filter(depth=1)}}))


if __name__ == "__main__":
    main()
