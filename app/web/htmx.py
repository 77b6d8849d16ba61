"""htmx dispatch: a fragment for htmx requests, the full page otherwise."""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, render_template, request
from flask.typing import ResponseReturnValue


def is_htmx() -> bool:
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    )


def render_fragment_or_page(
    page: str, fragment: str, status: int = 200, **context: Any
) -> ResponseReturnValue:
    return render_template(fragment if is_htmx() else page, **context), status


def redirect_to(url: str) -> ResponseReturnValue:
    """After a successful submit: HX-Redirect for htmx, 303 See Other for plain forms."""
    if is_htmx():
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url, code=303)
