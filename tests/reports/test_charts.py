"""Chart labels on the statistics page wrap instead of overlapping or being cut (issue #8 item 9)."""

from __future__ import annotations

from zugong.reports.views import _bar


def _category_axis(option, horizontal):
    return option["yAxis"] if horizontal else option["xAxis"]


def test_vertical_bars_wrap_labels_instead_of_rotating():
    labels = ["30岁及以下", "31至35岁", "36至40岁", "41至45岁", "46至50岁", "51至55岁", "56至60岁", "61岁及以上"]
    axis = _category_axis(_bar("年龄", labels, [1] * 8), horizontal=False)["axisLabel"]
    assert axis.get("rotate", 0) == 0 and axis["overflow"] == "break" and axis["interval"] == 0
    few = _category_axis(_bar("比例", ["女党员", "少数民族党员", "大专及以上学历"], [1] * 3), horizontal=False)
    assert few["axisLabel"]["width"] > axis["width"]  # fewer bars, wider labels


def test_horizontal_bars_wrap_long_names_and_keep_few_value_ticks():
    option = _bar("职业", ["企事业单位、社会组织专业技术人员", "学生"], [1619, 277], horizontal=True)
    assert option["yAxis"]["axisLabel"]["overflow"] == "break" and option["yAxis"]["inverse"] is True
    assert option["xAxis"]["splitNumber"] <= 2
