"""Lesson Markdown is rendered without any way to run script or load from another host."""

from __future__ import annotations

import pytest

from fiera.academy.markdown import image_allowed, link_allowed, render


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
    ],
)
def test_raw_html_comes_out_as_text(text: str) -> None:
    html = render(text)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert "<svg" not in html and "<style" not in html and "<a " not in html
    assert "&lt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "javascript&colon;alert(1)",
        " javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
    ],
)
def test_dangerous_links_are_not_links(url: str) -> None:
    html = render(f"[click]({url})")
    assert "<a" not in html
    assert "href" not in html


def test_web_mail_and_relative_links_stay_links() -> None:
    html = render("[w](https://example.org/a) [m](mailto:info@example.org) [r](/academy/) [h](#x)")
    assert '<a href="https://example.org/a" rel="nofollow noopener noreferrer">w</a>' in html
    assert '<a href="mailto:info@example.org">m</a>' in html
    assert '<a href="/academy/">r</a>' in html
    assert '<a href="#x">h</a>' in html


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/x.png",
        "http://evil.example/x.png",
        "//evil.example/media/x.png",
        "/media/../../etc/x.png",
        "data:image/png;base64,AAAA",
        "javascript:alert(1)",
        "x.png",
    ],
)
def test_images_from_elsewhere_show_their_text_only(src: str) -> None:
    html = render(f"![a chart]({src})")
    assert "<img" not in html
    assert "a chart" in html


def test_our_own_images_load_lazily() -> None:
    html = render("![logo](/media/academy/logo.png) ![icon](/static/web/favicon.svg)")
    assert '<img src="/media/academy/logo.png" alt="logo" loading="lazy"' in html
    assert '<img src="/static/web/favicon.svg" alt="icon" loading="lazy"' in html


def test_alt_text_and_titles_are_escaped() -> None:
    html = render('![<b onmouseover=alert(1)>](https://evil.example/x.png "t")')
    assert "<b" not in html
    html = render('[x](/a "<script>")')
    assert "<script>" not in html


def test_markdown_features_render() -> None:
    html = render(
        "# Title\n\n**bold** and ~~old~~\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two"
    )
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert "<s>old</s>" in html and "<table>" in html and "<li>one</li>" in html


def test_the_checks_themselves() -> None:
    assert link_allowed("https://x.org") and link_allowed("page") and not link_allowed("ftp://x")
    assert image_allowed("/media/a.png") and not image_allowed("/mediax/a.png")
    assert render("") == "" and render(None) == ""
