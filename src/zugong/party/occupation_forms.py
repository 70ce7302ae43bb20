"""The 工作岗位 fields of the member forms (新增党员, 组织关系转接 …), shared so every form offers the same
choices and hands the services the same value (``party.occupations.clean_occupation`` checks it).

``OccupationFields`` is a form mixin: ``occupation`` (a select of the 党内统计年报 rows, then the two coarse
公报 categories), ``ownership`` (单位所有制: 公有制单位 / 非公有制单位 — blank = from the organization's unit),
``migrant_worker`` (农民工), ``migrant_business`` (外出务工经商人员), ``front_line`` (生产工作一线) and
``front_line_kind`` (一线类别). ``occupation_value()`` is the dict the services take; a chosen 一线类别 ticks
生产工作一线 (the form is lenient where the service would refuse a contradiction)."""

from __future__ import annotations

from django import forms

from zugong.party.choices import FRONT_LINE_KIND, OWNERSHIP
from zugong.party.occupations import occupation_choices

OCCUPATION_HELP = ("按党内统计年报的岗位选择；企业和工勤技能岗位须确定所在单位的所有制"
                   "（所在单位已登记经济控制类型的自动确定）。")


class OccupationFields(forms.Form):
    """Mixin (a ``forms.Form``) adding the 工作岗位 fields; ``occupation_optional_label`` (e.g. 「（不变）」)
    makes 工作岗位 optional with that empty choice (a transfer keeps the current one)."""

    occupation_optional_label: str = ""

    occupation = forms.ChoiceField(label="工作岗位", help_text=OCCUPATION_HELP)
    ownership = forms.ChoiceField(label="单位所有制", required=False,
                                  choices=[("", "（按所在单位确定）"), *OWNERSHIP.choices],
                                  help_text="在岗职工所在单位为公有制单位还是非公有制单位；党政机关、事业单位为公有制单位。")
    migrant_worker = forms.BooleanField(label="农民工", required=False, help_text="工勤技能人员中的农民工。")
    migrant_business = forms.BooleanField(label="外出务工经商人员", required=False,
                                          help_text="农牧渔民中外出务工经商的人员。")
    front_line = forms.BooleanField(label="生产工作一线", required=False)
    front_line_kind = forms.ChoiceField(label="一线类别", required=False,
                                        choices=[("", "—"), *FRONT_LINE_KIND.choices],
                                        help_text="在生产、工作第一线的，选择企业生产、农村生产或教学科研。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["occupation"]
        if self.occupation_optional_label:
            field.required = False
            field.choices = [("", self.occupation_optional_label), *occupation_choices()]
        else:
            field.choices = [("", "—请选择—"), *occupation_choices()]

    def occupation_value(self) -> dict | None:
        """The cleaned 工作岗位 fields as ``clean_occupation``'s dict value; ``None`` when nothing was chosen
        on an optional form (unchanged). Unticked flags are sent as ``False`` only with a chosen 工作岗位."""
        d = self.cleaned_data
        kind = d.get("front_line_kind") or ""
        front_line = bool(d.get("front_line")) or bool(kind)
        if not d.get("occupation"):
            if not self.occupation_optional_label:
                return {"occupation": "", "front_line": front_line, "front_line_kind": kind}
            if not (d.get("ownership") or kind or d.get("migrant_worker") or d.get("migrant_business")):
                return None
        return {"occupation": d.get("occupation") or "", "ownership": d.get("ownership") or "",
                "migrant_worker": bool(d.get("migrant_worker")), "migrant_business": bool(d.get("migrant_business")),
                "front_line": front_line, "front_line_kind": kind}
