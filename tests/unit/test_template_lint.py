"""Issue 31 item 6: `{{ _(value) }}` outputs its argument unescaped (newstyle gettext returns
Markup), so a label that comes from data (a designer's DMN output, a form's title) must go
through the `translated` filter, which returns a plain string that autoescaping escapes. Every
template is parsed, and a gettext call whose message is not a string literal fails the lint."""

from __future__ import annotations

from jinja2 import Environment, nodes

from app.config import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "app" / "templates"
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}


def non_literal_messages(source: str, name: str) -> list[str]:
    """`lineno: call` of every gettext call in the template whose messages are not literals."""
    environment = Environment(autoescape=True, extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
    tree = environment.parse(source, name)
    found = []
    for call in tree.find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name in GETTEXT):
            continue
        literals = 2 if call.node.name in {"ngettext", "pgettext"} else 1
        literals += 1 if call.node.name == "npgettext" else 0
        messages = call.args[:literals]
        if len(messages) < literals or not all(
            isinstance(arg, nodes.Const) and isinstance(arg.value, str) for arg in messages
        ):
            found.append(f"{name}:{call.lineno}: {call.node.name}(…)")
    return found


def test_data_through_gettext_is_refused_by_the_lint() -> None:
    """The lint can fail: the sites the review found, and the other gettext spellings."""
    for source in (
        "{{ _(support.label(value)) }}",
        "{{ gettext(name) }}",
        "{{ ngettext('一件', count_label, n) }}",
        "{{ _('类案参考：%(level)s', level=_(level)) }}",
    ):
        assert non_literal_messages(source, "probe.html"), source
    assert not non_literal_messages(
        "{{ _('是') }} {{ ngettext('一件', '%(num)d 件', n) }} {{ value | translated }}", "ok.html"
    )


def test_no_template_passes_data_to_gettext() -> None:
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 50
    found = [
        site
        for path in templates
        for site in non_literal_messages(
            path.read_text(encoding="utf-8"), str(path.relative_to(TEMPLATES))
        )
    ]
    assert not found, "use `| translated` for a label that is not a literal:\n" + "\n".join(found)
