"""Reading ``/rollout`` commands out of PR comments (docs/rollout.md). Pure: text and plain data in, values out.

A command is the first line of a comment: ``/rollout VERB [ARGS]``, with shell-style arguments; not when
Markdown shows that line as code (indented by four columns or more; a fenced block's first line is its fence, and
inline code starts with a backtick). Numbers are ASCII digits only. Comments by
bots, edited comments and comments on plain issues are not commands (:func:`is_candidate`). What a user wrote
wrong is a :class:`Refusal` with one clear sentence, never an exception.
"""

from __future__ import annotations

import difflib
import re
import shlex
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from bot.manifests.models import NAME_RE
from bot.rollout.verbs import FIXED, FIXED_VERBS, STAGE, Takes, Verb
from bot.rules import RULE_ID_RE

PREFIX = "/rollout"
MAX_LINE = 2000  # a command line longer than this is refused without being split
CODE_INDENT = 4  # columns: Markdown shows a line indented this far as code (a tab advances to the next stop of 4)
PERCENT_RE = re.compile(r"[0-9]{1,3}")  # not \d: it takes "٥٠" (Arabic-Indic), which int() reads as 50


@dataclass(frozen=True)
class Comment:
    """The parts of a GitHub issue comment that matter here (a plain value; the shell builds it)."""

    id: int
    user: str
    user_type: str
    body: str
    created_at: datetime
    updated_at: datetime
    on_pull_request: bool = True
    url: str = ""

    @property
    def by_bot(self) -> bool:
        return self.user_type == "Bot" or self.user.lower().endswith("[bot]")

    @property
    def edited(self) -> bool:
        return self.updated_at > self.created_at


@dataclass(frozen=True)
class Command:
    """A well-formed command. ``models`` is empty when the command applies to every model of the PR."""

    verb: str
    line: str
    models: tuple[str, ...] = ()
    percent: int | None = None
    reason: str | None = None
    note: str | None = None
    rule: str | None = None
    stage: str | None = None  # set for a stage verb: the stage it names


@dataclass(frozen=True)
class Refusal:
    """A comment that starts like a command but cannot be run; ``line`` is what the user wrote (shortened)."""

    line: str
    reason: str


def is_candidate(comment: Comment) -> bool:
    """Whether a comment may carry a command or an ack/override: a human's, unedited, on a pull request."""
    return comment.on_pull_request and not comment.by_bot and not comment.edited


def _raw_first_line(body: str) -> str:
    end = body.find("\n", 0, MAX_LINE + 2)
    return body[: end if end >= 0 else MAX_LINE + 1]


def first_line(body: str) -> str:
    """The first line of a comment body, without reading past it (bodies may be huge)."""
    return _raw_first_line(body).rstrip("\r").strip()


def indentation(line: str) -> int:
    """The columns of a line's leading spaces and tabs, as Markdown counts them (tab stops of 4)."""
    columns = 0
    for ch in line:
        if ch == " ":
            columns += 1
        elif ch == "\t":
            columns += CODE_INDENT - columns % CODE_INDENT
        else:
            break
    return columns


def shorten(line: str, limit: int = 120) -> str:
    """A command line as it may be quoted back: control characters shown as U+FFFD, at most ``limit``."""
    clean = "".join("\ufffd" if unicodedata.category(ch) == "Cc" else ch for ch in line[: limit + 1])
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def is_command(body: str) -> bool:
    """Whether the first line is a ``/rollout`` command, and not shown as code (an indented code block)."""
    if indentation(_raw_first_line(body)) >= CODE_INDENT:
        return False
    line = first_line(body)
    return line == PREFIX or line.startswith((PREFIX + " ", PREFIX + "\t"))


def parse(body: str, stages: tuple[str, ...]) -> Command | Refusal | None:
    """The command in a comment body; None when the body is no command at all.

    ``stages`` are every stage verb known for the PR's models (the configured stages, plus those of models
    that set ``spec.rollout.stages``).
    """
    if not is_command(body):
        return None
    line = first_line(body)
    shown = shorten(line)
    if len(line) > MAX_LINE:
        return Refusal(shown, f"the command line is longer than {MAX_LINE} characters")
    if any(unicodedata.category(ch) == "Cc" and ch != "\t" for ch in line):
        return Refusal(shown, "the command contains control characters; write it again as plain text")
    try:
        words = shlex.split(line[len(PREFIX):], comments=False, posix=True)
    except ValueError as exc:
        return Refusal(shown, f"the arguments cannot be read ({exc}); close every quote you open")
    verbs = (*stages, *FIXED_VERBS)
    if not words:
        return Refusal(shown, f"no verb given; the verbs are {', '.join(verbs)} (try `/rollout help`)")
    word, args = words[0], words[1:]
    verb = STAGE if word in stages else FIXED.get(word)  # a stage named like a fixed verb is read as a stage
    if verb is None:
        close = difflib.get_close_matches(word.lower(), verbs, n=1, cutoff=0.5)
        hint = f"; did you mean `/rollout {close[0]}`?" if close else f"; the verbs are {', '.join(verbs)}"
        return Refusal(shown, f"unknown verb {shorten(word, 40)!r}{hint}")
    try:
        return _arguments(verb, word, args, shown)
    except _BadArgs as exc:
        return Refusal(shown, str(exc))


class _BadArgs(Exception):
    pass


def _arguments(verb: Verb, word: str, args: list[str], shown: str) -> Command:
    """``args`` read as ``verb`` takes them (``word`` is the verb as written: a stage, or the fixed verb)."""
    options: dict[str, str] = {}
    positional: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if not arg.startswith("--"):
            positional.append(arg)
            continue
        name, eq, value = arg.partition("=")
        if name not in verb.options:
            close = difflib.get_close_matches(name, verb.options, n=1)
            hint = f"; did you mean {close[0]}?" if close else (
                f"; it takes {', '.join(verb.options)}" if verb.options else f"; `{word}` takes no options")
            raise _BadArgs(f"unknown option {shorten(name, 40)!r} for `{word}`{hint}")
        if not eq:
            if index >= len(args):
                raise _BadArgs(f"{name} needs a value")
            value = args[index]
            index += 1
        if name in options:
            raise _BadArgs(f"{name} is given twice")
        options[name] = value
    if verb.takes is Takes.NOTHING and positional:
        raise _BadArgs(f"`{word}` takes no arguments (got {shorten(' '.join(positional), 60)!r})")
    if verb.takes is Takes.RULE:
        return _rule(word, positional, options, shown)
    models = _models(positional)
    if verb.takes is Takes.MODEL and len(models) != 1:
        usage = " ".join(["/rollout", word, "MODEL", *(f"[{option} TEXT]" for option in verb.options)])
        raise _BadArgs(f"`{word}` names exactly one model: `{usage}`")
    percent = _percent(options["--percent"]) if "--percent" in options else None
    return Command(word, shown, models=models, percent=percent, reason=options.get("--reason"),
                   note=options.get("--note"), stage=word if verb is STAGE else None)


def _rule(word: str, positional: list[str], options: dict[str, str], shown: str) -> Command:
    if len(positional) != 1:
        raise _BadArgs(f"`{word}` names exactly one rule: `/rollout {word} MG101 --reason \"why\"`")
    rule = positional[0].upper()
    if not RULE_ID_RE.match(rule):
        raise _BadArgs(f"{shorten(positional[0], 40)!r} is not a rule id (rule ids look like MG101)")
    reason = options.get("--reason", "").strip()
    if not reason:
        raise _BadArgs(f"`{word}` needs a reason: `/rollout {word} RULE --reason \"why\"`")
    return Command(word, shown, rule=rule, reason=reason)


def _models(words: list[str]) -> tuple[str, ...]:
    for word in words:
        if not NAME_RE.match(word):
            raise _BadArgs(f"{shorten(word, 40)!r} is not a model name")
    return tuple(dict.fromkeys(words))


def _percent(value: str) -> int:
    if not PERCENT_RE.fullmatch(value) or not 1 <= int(value) <= 100:
        raise _BadArgs(f"--percent must be a whole number from 1 to 100, not {shorten(value, 20)!r}")
    return int(value)
