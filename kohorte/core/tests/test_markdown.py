"""Markdown from coordinators is rendered, then sanitised: no scripts, no javascript: links."""

import pytest
from django.template import Context, Template

from kohorte.core.markdown import render_markdown


@pytest.mark.parametrize("source", [
    "<script>alert('x')</script>",
    "Text <script src='https://evil.example/x.js'></script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
])
def test_script_tags_are_removed_with_their_content(source):
    html = render_markdown(source)
    assert "<script" not in html.lower()
    assert "alert(1)" not in html and "alert('x')" not in html


@pytest.mark.parametrize("source", [
    "[Klick](javascript:alert(1))",
    "[Klick](JavaScript:alert(1))",
    "[Klick]( javascript:alert(1))",
    '<a href="javascript:alert(1)">Klick</a>',
    "[Klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[Klick](vbscript:msgbox(1))",
])
def test_dangerous_link_targets_are_removed(source):
    html = render_markdown(source)
    assert "javascript:" not in html.lower()
    assert "data:" not in html and "vbscript:" not in html
    assert "Klick" in html


@pytest.mark.parametrize("source, forbidden", [
    ('<img src="x" onerror="alert(1)">', "onerror"),
    ('<p onclick="alert(1)">Text</p>', "onclick"),
    ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ("<style>body{display:none}</style>", "<style"),
    ('<a href="https://example.org" style="color:red">x</a>', "style="),
    ('<form action="https://evil.example"><input name="pw"></form>', "<form"),
    ('<object data="x.swf"></object>', "<object"),
])
def test_other_active_html_is_removed(source, forbidden):
    assert forbidden not in render_markdown(source).lower()


def test_ordinary_markdown_survives():
    html = render_markdown("Ein **wichtiger** Hinweis mit [Link](https://example.org/a?b=1).\n\n"
                           "- eins\n- zwei\n\n| A | B |\n|---|---|\n| 1 | 2 |")
    assert "<strong>wichtiger</strong>" in html
    assert '<a href="https://example.org/a?b=1" rel="noopener noreferrer">Link</a>' in html
    assert "<li>eins</li>" in html and "<table>" in html and "<td>1</td>" in html


def test_mail_links_are_allowed():
    assert 'href="mailto:info@example.org"' in render_markdown("[Mail](mailto:info@example.org)")


def test_headings_start_below_the_page_title():
    html = render_markdown("# Eins\n\n## Zwei\n\n### Drei")
    assert "<h1>" not in html
    assert "<h2>Eins</h2>" in html and "<h3>Zwei</h3>" in html and "<h4>Drei</h4>" in html


def test_empty_text_renders_empty():
    assert render_markdown("") == "" and render_markdown(None) == ""


def test_the_template_filter_sanitises_too():
    template = Template("{% load kohorte %}{{ text|markdown }}")
    html = template.render(Context({"text": "Hallo <script>alert(1)</script>[x](javascript:1)"}))
    assert "<script" not in html and "javascript:" not in html
    assert "Hallo" in html


@pytest.mark.parametrize("text, top", [("## Titel\n\n### Unter", "<h2>Titel</h2>"),
                                        ("# Titel\n\n## Unter", "<h2>Titel</h2>")])
def test_the_top_heading_of_a_text_becomes_h2_and_no_level_is_skipped(text, top):
    html = render_markdown(text)
    assert html.startswith(top)
    assert "<h3>Unter</h3>" in html
