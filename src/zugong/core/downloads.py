"""The page's "file is being generated" indicator for synchronous downloads (xlsx exports).

A large export takes a while (the 100,000-member roster ~45 s, mostly openpyxl writing cells) and a
browser shows nothing until the file arrives. Links and forms marked ``data-download`` (see
``static/zugong/app.js``) add a random token ``dl`` to the request and show an indicator with the
elapsed time; the view answers the file with the cookie ``zugong_dl=<token>`` (``mark_download``), and
the script hides the indicator when that cookie appears. The token is not a secret and carries no
data: it only tells this page that this download has arrived.
"""

from __future__ import annotations

import re

DOWNLOAD_COOKIE = "zugong_dl"
_TOKEN = re.compile(r"[A-Za-z0-9]{8,32}")


def mark_download(request, response):
    """Set ``zugong_dl=<token>`` on ``response`` when the request carries a well-formed ``dl`` token
    (8–32 letters or digits); anything else is ignored. Returns ``response``. The cookie is readable
    by the page's script (not HttpOnly), same-site strict, and expires after two minutes."""
    token = request.GET.get("dl", "")
    if _TOKEN.fullmatch(token):
        response.set_cookie(DOWNLOAD_COOKIE, token, max_age=120, path="/", samesite="Strict",
                            secure=request.is_secure(), httponly=False)
    return response
