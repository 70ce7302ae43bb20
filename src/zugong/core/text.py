"""Text that is safe to store: no control or invisible format characters.

A name, a title or a note typed, pasted or imported must not carry terminal escapes (ESC ``\\x1b``, which
rewrite a terminal showing a log or a CSV), bidirectional overrides (U+202E, which reverse what a reader
sees, e.g. ``gpj.exe`` shown as ``exe.jpg``) or zero-width characters (which make two equal-looking names
differ). ``strip_controls`` removes them from every text a Zugong model stores: the model layer calls it
before every save (``core.apps``), the importers through ``codes.normalize_text``.

What is removed: Unicode category Cc (C0/C1 control characters; in multi-line text TAB, LF and CR are
kept, with CR LF and lone CR turned into LF) and category Cf (format characters: bidi marks, embeddings,
overrides and isolates, zero-width space and joiners' look-alikes, word joiner, BOM, soft hyphen,
interlinear annotation, tag characters), except U+200C/U+200D (ZWNJ/ZWJ), which scripts such as Mongolian
and Arabic-script Uyghur need to render names correctly. Private-use characters are kept: local systems
encode rare name characters (生僻字) there.

Source: GB/T 22239-2019 8.1.4.4 入侵防范 (数据有效性检验); Unicode TR #36 §2 (bidi spoofing), TR #9.
"""

from __future__ import annotations

import re

# Category Cf (Unicode 15.1) without U+200C/U+200D; tests/core/test_text.py checks it against unicodedata.
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_BREAKS = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f\x85]")  # the control characters Python counts as white space
_SINGLE_LINE = re.compile(f"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f{_FORMAT}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_FORMAT}]")


def strip_controls(text: str, *, multiline: bool = False) -> str:
    """``text`` without control and invisible format characters (see the module docstring).

    In single-line text the control characters that are white space (TAB, LF, VT, FF, CR, FS–US, NEL)
    become a space (a name never holds a line break; the caller collapses white space if it wants to);
    ``multiline=True`` keeps TAB and LF, turns CR LF / CR into LF and removes the others. Nothing else
    changes: no trimming, no normalisation. Never raises; the fast path (nothing to strip) returns the
    same string object."""
    if text.isprintable():
        return text
    if multiline:
        return _MULTI_LINE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _BREAKS.sub(" ", _SINGLE_LINE.sub("", text))
