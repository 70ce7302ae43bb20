"""Forms of the 组织关系转接 pages (``party.transfer_views``). They only shape the input: dates, months,
numbers and codes are taken as text and checked by the services (``party.transfers``), so a bad value gets
the same message on the page, in the API and in the tests."""

from __future__ import annotations

import django_filters
from django import forms

from zugong.core.scoping import scope_q, user_scope
from zugong.party.choices import TRANSFER_DIRECTION, TRANSFER_STATE
from zugong.party.forms import MemberCreateForm
from zugong.party.models import MembershipTransfer
from zugong.people.search import PersonSearchFilter


def _date(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _month(label: str, *, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, help_text=help_text,
                           widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}))


class TransferStartForm(forms.Form):
    """发起组织关系转接: the receiving organization by 组织代码 (typed, or picked in the search below the
    form: the picker's radio ``to_organization_pick`` wins), the date and a note."""

    to_organization = forms.CharField(label="接收党组织（组织代码）", max_length=50, required=False,
                                      help_text="可在下方按名称或代码搜索；可选择本人管理范围以外的党组织（如其他乡镇的党支部）。")
    date = _date("转接日期", required=True, help_text="发出转接的日期；对方接收后，自接收之日起在新组织。")
    note = forms.CharField(label="备注", max_length=500, required=False)


class TransferAcceptForm(forms.Form):
    """接收."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    date = _date("接收日期", required=True, help_text="自该日起该党员在本组织；此前各日的名册不变。")


class TransferReturnForm(forms.Form):
    """退回."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="退回原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             required=False, help_text="如：材料不全、不属于本组织接收范围。")


class TransferCancelForm(forms.Form):
    """撤回."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class TransferOutForm(forms.Form):
    """转出本系统（开具介绍信）."""

    counterpart = forms.CharField(label="接收党组织（系统外）", max_length=200, required=False,
                                  help_text="转入单位党组织全称，如「中共××省××市××区××街道××社区委员会」。")
    letter_number = forms.CharField(label="介绍信编号", max_length=50, required=False,
                                    help_text="每联右上角「第 号」。")
    validity_days = forms.CharField(label="有效期（天）", max_length=4, required=False, initial="30",
                                    widget=forms.NumberInput(attrs={"min": 1, "max": 90}),
                                    help_text="一般市内 10 天、市外 30 天，最长不超过 3 个月。")
    dues_paid_through = _month("党费交至（年月）", help_text="打印时按规定写成大写数字。")
    date = _date("转出日期", required=True, help_text="自该日起不再计入本组织名册。")
    note = forms.CharField(label="备注", max_length=500, required=False)


class TransferInForm(MemberCreateForm):
    """登记转入党员（持介绍信从系统外转入）: the member's fields as 新增党员, the letter's origin and number and
    the day of arrival (the membership starts then, not at 入党日期)."""

    counterpart = forms.CharField(label="原所在党组织", max_length=200, required=False,
                                  help_text="介绍信开出的党组织全称。")
    letter_number = forms.CharField(label="介绍信编号", max_length=50, required=False)
    date = _date("转入日期", required=True, help_text="介绍信交到本组织之日；自该日起计入本组织名册。")
    whole_unit = forms.BooleanField(label="整建制转入", required=False)
    note = forms.CharField(label="备注", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("start_date", None)  # the membership starts on 转入日期

    def service_kwargs(self) -> dict:
        """The cleaned form as ``party.transfers.transfer_in_register`` keyword arguments."""
        d = self.cleaned_data
        return dict(organization_id=d["organization"], name=d["name"], sex=d["sex"], ethnicity=d["ethnicity"],
                    id_number=d["id_number"], birth_date=d["birth_date"], education_level=d["education_level"],
                    category=d["category"], admission_date=d["admission_date"],
                    full_membership_date=d["full_membership_date"] or None, occupation=d["occupation"],
                    front_line=d["front_line"], work_start_date=d["work_start_date"] or None, phone=d["phone"],
                    counterpart=d["counterpart"], letter_number=d["letter_number"], date=d["date"],
                    whole_unit=d["whole_unit"], note=d["note"])


class WholeUnitForm(forms.Form):
    """整建制转接: to an organization in Zugong (by 组织代码, or the picker's radio) or, with the
    destination's full name, out of Zugong (then the 介绍信 fields)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    to_organization = forms.CharField(label="系统内接收党组织（组织代码）", max_length=50, required=False,
                                      help_text="须在您的管理范围内。转出本系统时不填。")
    counterpart = forms.CharField(label="系统外接收党组织", max_length=200, required=False,
                                  help_text="整建制转出本系统时填写接收党组织全称。")
    date = _date("转接日期", required=True, help_text="全体党员自该日起转往接收党组织，原组织于该日撤销。")
    reason = forms.CharField(label="撤销原因", max_length=200, required=False, initial="整建制转接")
    letter_number = forms.CharField(label="介绍信编号（转出本系统）", max_length=50, required=False)
    validity_days = forms.CharField(label="有效期（天）（转出本系统）", max_length=4, required=False,
                                    widget=forms.NumberInput(attrs={"min": 1, "max": 90}))
    dues_paid_through = _month("党费交至（转出本系统）")


BOXES = {"incoming": "转入本组织", "outgoing": "由本组织转出"}


class TransferFilterSet(django_filters.FilterSet):
    """Filters of the transfer list (page and API): ``box`` (``incoming``: addressed to an organization in
    the user's scope; ``outgoing``: sent from one), ``state``, ``direction``, ``name`` (the member's name
    contains)."""

    box = django_filters.ChoiceFilter(label="收发", choices=list(BOXES.items()), method="filter_box",
                                      empty_label="全部")
    state = django_filters.ChoiceFilter(label="状态", choices=TRANSFER_STATE.choices, empty_label="全部")
    direction = django_filters.ChoiceFilter(label="转接方向", choices=TRANSFER_DIRECTION.choices, empty_label="全部")
    name = PersonSearchFilter(prefix="person__")

    class Meta:
        model = MembershipTransfer
        fields = ("box", "state", "direction", "name")

    def filter_box(self, queryset, name, value):
        nodes = user_scope(self.request.user, "party", "view") if self.request is not None else []
        field = "to_organization" if value == "incoming" else "from_organization"
        return queryset.filter(scope_q(nodes, field)) if value else queryset
