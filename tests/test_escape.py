"""Escaping hostile text for markdown, mermaid, DOT and workflow commands."""

from __future__ import annotations

import re

import pytest

from bot.escape import (
    ZWSP,
    dot_string,
    markdown_text,
    mermaid_id,
    mermaid_label,
    table_cell,
    terminal_text,
    workflow_command_data,
    workflow_command_prop,
)

HOSTILE = [
    '<img src=x onerror=alert(1)> & "quotes"',
    "@acme/risk-ml please look, cc @alice",
    "[click](https://evil.example/x) ![img](http://e/i.png) www.evil.example",
    "line one\nline two\r\n# heading\n| a | b |",
    "`code` *bold* _em_ ~~strike~~ \\ #123",
    'end"] --> x[pwned]; click x "https://evil" %%{init: {}}%%',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_shows_text_literally_on_one_line(text):
    out = markdown_text(text)
    assert "\n" not in out and "\r" not in out
    assert not re.search(r"<|>", out)
    assert not re.search(r"&(?!amp;|lt;|gt;|#8203;)", out)  # every & starts an entity of ours
    assert not re.search(r"@(?!&#8203;)", out)  # no mention
    assert "://" not in out and "www." not in out  # no autolink
    assert not re.search(r"(?<!\\)[\[\]`*_|~!]", out)  # no markdown syntax left unescaped


def test_markdown_text_examples():
    assert markdown_text("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert markdown_text("@alice") == f"@{ZWSP}alice"
    assert markdown_text("fraud-score v2.1") == "fraud-score v2.1"  # plain names stay readable
    assert markdown_text("[x](y)") == r"\[x\]\(y\)"
    assert markdown_text("a\n\n  b") == "a b"
    assert markdown_text("see https://x.io") == f"see https:{ZWSP}//x.io"


@pytest.mark.parametrize("text", HOSTILE)
def test_mermaid_label_is_one_quoted_string_without_syntax(text):
    out = mermaid_label(text)
    assert out.startswith('"') and out.endswith('"')
    inner = out[1:-1]
    assert not set(inner) & set('"[]{}|<>`;#&\\\n\r')


def test_mermaid_label_keeps_names():
    assert mermaid_label("contract:fraud-score@2") == '"contract:fraud-score@2"'
    assert mermaid_label("a\n b") == '"a b"'


def test_mermaid_id_is_safe_and_distinct():
    ids = {mermaid_id(t) for t in ["model:a-b", "model:a_b", "model:a b", "end", "contract:a@1"]}
    assert len(ids) == 5
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", i) for i in ids)
    assert mermaid_id("end") != "end"  # a mermaid keyword never becomes an id
    assert mermaid_id("model:x") == mermaid_id("model:x")


def test_dot_string():
    assert dot_string('a"b\\c\nd') == '"a\\"b\\\\c d"'


def test_workflow_command_escaping():
    assert workflow_command_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert workflow_command_prop("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    assert workflow_command_data("a,b:c") == "a,b:c"  # only properties escape , and :
    assert workflow_command_data("<b> & %") == "&lt;b&gt; &amp; %25"  # entities in data, as everywhere
    assert workflow_command_prop("a&b<c>.yaml") == "a&b<c>.yaml"  # a file name stays a file name


def test_a_table_cell_of_our_own_markdown_escapes_only_the_cell_separator():
    assert table_cell("`a|b` or [c](#d)") == "`a\\|b` or [c](#d)"


def test_workflow_commands_and_dot_replace_other_control_characters_and_bidi_overrides():
    # the job log is a terminal too: an ESC sequence would recolour it, U+202E reorder the line
    assert workflow_command_data("a\x1b[31mb\u202ec\x00\td\r\n") == "a\ufffd[31mb\ufffdc\ufffd\td%0D%0A"
    assert workflow_command_prop("f\x1b[31m\u2066.yaml") == "f\ufffd[31m\ufffd.yaml"
    assert dot_string("m\x1b[31m\u202e\nx") == '"m\ufffd[31m\ufffd x"'
    assert workflow_command_data("ordinary text, é — ok") == "ordinary text, é — ok"


def test_terminal_text_never_starts_a_workflow_command():
    """Attack (review after issue 19): a file named `::warning title=PWNED::owned.yaml` came first on a lint text
    line, which an Actions runner reads as a workflow command."""
    assert terminal_text("::warning title=PWNED::owned.yaml") == ":\u200b:warning title=PWNED::owned.yaml"
    assert terminal_text("  ::stop-commands::x") == "  :\u200b:stop-commands::x"
    assert terminal_text("a::b") == "a::b"
