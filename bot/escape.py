"""Escaping of hostile text (names, descriptions, file names, messages) for each place it is shown.

Every string that comes from a manifest, a file name or a user goes through one of these before it reaches
a PR comment, a job summary, a mermaid graph or a workflow command:

- ``markdown_text``: one line of GitHub markdown that shows the text literally: no HTML, no mention, no
  link, no formatting.
- ``mermaid_label`` / ``mermaid_id``: a quoted node label and a node id that cannot break out of the graph.
- ``dot_string``: a quoted Graphviz DOT id or label.
- ``workflow_command_data`` / ``workflow_command_prop``: GitHub Actions workflow commands
  (``::error file=F,line=L,title=T::DATA``), as @actions/core escapes them, and no other control character
  or bidi override (the job log is a terminal too).
- ``xml_text``: text an XML 1.0 document can hold (JUnit XML): the characters XML forbids replaced.
- ``terminal_text``: one line for a terminal: no control character (no ANSI escape) and no bidi override.
  It is also what makes a plain line of a job log safe: being one line, it cannot start a workflow command.

``table_cell`` is for modelgate's own markdown (the rule catalogue in ``docs/rules.md``), not for hostile text.
"""

from __future__ import annotations

import hashlib
import html
import re

ZWSP = "&#8203;"  # a zero-width space, written as an entity so it survives any later trimming
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Markdown punctuation that formats, links or builds tables in the middle of a line (GFM lets any ASCII
# punctuation be backslash-escaped, and shows it literally).
_MARKDOWN = re.compile(r"([\\`*_\[\]()|~!#])")
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x85]+\s*")
_AUTOLINK = re.compile(r"(?i)(://|www\.)")
_MERMAID_DROP = str.maketrans(dict.fromkeys("\"[]{}|<>`;#&\\", None))
_MERMAID_ID = re.compile(r"[^A-Za-z0-9]+")


def markdown_text(text: str) -> str:
    """Text shown literally on one line of GitHub markdown (a table cell, a list item, a heading).

    ``&``, ``<`` and ``>`` become entities (no HTML); ``@`` is followed by a zero-width space (no mention,
    no notification); ``://`` and ``www.`` are broken the same way (no autolink); markdown punctuation is
    backslash-escaped (no emphasis, code, link, image or table cell); line breaks become one space; other
    control characters (NUL, ESC) and bidi overrides become U+FFFD, as on a terminal.
    """
    one_line = _TERMINAL_CONTROL.sub("\ufffd", _LINE_BREAKS.sub(" ", text).replace("\t", " "))
    escaped = _MARKDOWN.sub(r"\\\1", one_line.translate(_HTML))
    return _AUTOLINK.sub(lambda m: f"{m.group(1)[0]}{ZWSP}{m.group(1)[1:]}", escaped.replace("@", f"@{ZWSP}"))


def table_cell(text: str) -> str:
    """modelgate's own markdown (trusted: its code spans and links are meant) in one table cell: ``|`` escaped."""
    return text.replace("|", "\\|")


def mermaid_label(text: str) -> str:
    """A double-quoted mermaid node label: mermaid syntax and control characters removed, line breaks made spaces."""
    one_line = _TERMINAL_CONTROL.sub("", _LINE_BREAKS.sub(" ", text))
    return '"' + " ".join(one_line.translate(_MERMAID_DROP).split()) + '"'


def mermaid_id(text: str) -> str:
    """A mermaid node id for any text: letters, digits and ``_`` only, distinct for distinct texts."""
    readable = _MERMAID_ID.sub("_", text).strip("_")[:40]
    digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
    return f"n_{readable}_{digest}"


def _workflow_command(text: str) -> str:
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _COMMAND_CONTROL.sub("\ufffd", escaped)


def workflow_command_data(text: str) -> str:
    """The message part of a workflow command (after ``::``): ``<``, ``>``, ``&`` as HTML entities (docs/github.md:
    everywhere, annotations included), then ``%``, CR and LF escaped; other control characters (ESC, NUL)
    and bidi overrides become U+FFFD."""
    return _workflow_command(html.escape(text, quote=False))


def workflow_command_prop(text: str) -> str:
    """A property value of a workflow command (``file=``, ``title=``): ``%``, CR, LF, ``:`` and ``,`` escaped,
    other control characters and bidi overrides U+FFFD (no entities: ``file=`` must name the file as it is)."""
    return _workflow_command(text).replace(":", "%3A").replace(",", "%2C")


def dot_string(text: str) -> str:
    """A double-quoted Graphviz DOT string (backslashes, quotes and line breaks escaped; other control
    characters and bidi overrides U+FFFD, as on a terminal, where the graph is printed)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _TERMINAL_CONTROL.sub("\ufffd", _LINE_BREAKS.sub(" ", escaped)) + '"'


# C0 and C1 control characters (ANSI escapes start with ESC or CSI) and the bidi overrides ("Trojan Source").
_TERMINAL_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The same but tab, CR and LF, which a workflow command keeps (the latter two escaped as %0D and %0A).
_COMMAND_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """Text shown literally on one terminal line: line breaks and tabs become spaces, other control
    characters U+FFFD, so a name cannot move the cursor, recolour the terminal or reorder the line; and a
    leading ``::`` is broken by a zero-width space, so text that starts a line of an Actions log (a file name,
    first on a lint line) is never read as a workflow command (``::warning …``, ``::stop-commands::``)."""
    one_line = _TERMINAL_CONTROL.sub("\ufffd", _LINE_BREAKS.sub(" ", text).replace("\t", " "))
    stripped = one_line.lstrip(" ")
    if stripped.startswith("::"):
        return one_line[:len(one_line) - len(stripped)] + ":\u200b:" + stripped[2:]
    return one_line


# What XML 1.0 cannot hold (its Char production: C0 controls but tab, LF and CR; lone surrogates; U+FFFE/F), what
# it discourages (DEL and the C1 controls) and the bidi overrides, which a CI system's web page would obey.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text an XML 1.0 document can hold (an element's text or an attribute's value, escaped later by the XML
    writer): each character XML 1.0 forbids (NUL, ESC and the other C0 controls but tab, LF and CR; a lone
    surrogate; U+FFFE, U+FFFF) becomes U+FFFD, so the report stays well-formed and shows that something was
    there; so do DEL, the C1 controls (which XML discourages) and the bidi overrides."""
    return _NOT_XML.sub("\ufffd", text)


_BRACKET = re.compile(r"\\(?=[\[\]])|[\[\]]")


def sarif_text(text: str) -> str:
    """A SARIF message's plain text: what XML cannot hold, DEL, the C1 controls and the bidi overrides become U+FFFD
    (as :func:`xml_text`), and ``[`` and ``]`` are escaped with a backslash (a backslash before one of them too), so
    that no ``[text](target)`` of a manifest or a file name is an embedded link in a SARIF viewer (SARIF 2.1.0,
    3.11.6)."""
    return _BRACKET.sub(lambda m: "\\" + m.group(0), xml_text(text))

