"""Django's ``{# … #}`` comments end on the line they start; one spread over two lines is printed to the
user as text (it happened on the person page's 党员变动 table). Multi-line notes use ``{% comment %}``."""

from __future__ import annotations

from pathlib import Path

import zugong

TEMPLATES = Path(zugong.__file__).parent / "templates"


def test_no_template_comment_spans_lines():
    unterminated = [f"{path.relative_to(TEMPLATES)}:{number}"
                    for path in sorted(TEMPLATES.rglob("*.html"))
                    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                    if line.count("{#") > line.count("#}")]
    assert not unterminated, f"{{# … #}} comments must end on their line: {unterminated}"
    assert sorted(TEMPLATES.rglob("*.html"))  # the scan saw the templates
