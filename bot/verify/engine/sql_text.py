"""The SQL a command line hands to a backend (``--query``, ``--where``): read before it is sent, and sent as read.

``--query`` and ``--where`` come from whoever writes the workflow, not from a pull request, and they run with the
rights of the connection's role (docs/verify.md: connect as a role that can only read). Still, a slip must not
write: ``--query "SELECT ...; DROP TABLE t"`` would run both statements on PostgreSQL, and a ``--where`` that closes
the query's parenthesis could append one. So each text is parsed by sqlglot (the parser ibis itself uses) in the
backend's dialect and must be what its flag says:

- ``--query``: exactly one statement, a query (``SELECT``, ``WITH ... SELECT``, a ``UNION`` of them);
- ``--where``: exactly one condition (an expression; a subquery inside it is a query too);

and neither may hold a statement that writes or changes the session anywhere in its tree (``INSERT``, ``UPDATE``,
``DELETE`` and ``MERGE``, also in a ``WITH``; ``SELECT ... INTO``; ``CREATE``, ``DROP``, ``ALTER``, ``COPY``,
``SET``, ``ATTACH``, transactions, and any statement sqlglot passes through unparsed). What runs is sqlglot's
rendering of the tree it checked, not the raw text, so the backend cannot read the text differently from the check.
A function with side effects inside a ``SELECT`` is not caught here: that is what a read-only role is for.
"""

from __future__ import annotations

import re
from typing import Any

from bot.errors import DomainError
from bot.escape import terminal_text

REASON_CHARS = 200  # a parser's message is cut to this in the one error line


class SqlTextError(DomainError):
    """A ``--query`` or ``--where`` that is not what its flag says: one line, exit 2, before anything runs."""


def _writes() -> tuple[type[Any], ...]:
    from sqlglot import exp

    return (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Into, exp.Create, exp.Drop, exp.Alter,
            exp.TruncateTable, exp.Copy, exp.Set, exp.Command, exp.Transaction, exp.Commit, exp.Rollback, exp.Use,
            exp.Pragma, exp.LoadData, exp.Attach, exp.Detach, exp.Grant, exp.Kill)


def read_query(text: str, dialect: Any, flag: str = "--query") -> str:
    """``text`` as one read-only query of ``dialect`` (a sqlglot dialect, as ibis backends name theirs), rendered
    back: a SqlTextError naming ``flag`` otherwise."""
    import sqlglot
    from sqlglot import exp

    try:
        statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    except sqlglot.errors.SqlglotError as exc:
        raise SqlTextError(f"{flag}: not one SQL query: {_problem(exc)}") from exc
    if len(statements) != 1:
        raise SqlTextError(f"{flag}: {len(statements)} SQL statements: give one query (SELECT ...), no ';' "
                           "between statements")
    query = statements[0]
    if not isinstance(query, exp.Query):
        raise SqlTextError(f"{flag}: {_kind(query)} is not a query: give one SELECT")
    _refuse_writes(query, flag)
    return query.sql(dialect=dialect)


def read_condition(text: str, dialect: Any, flag: str = "--where") -> str:
    """``text`` as one read-only condition of ``dialect``, rendered back: a SqlTextError naming ``flag``
    otherwise."""
    return str(_condition(text, dialect, flag).sql(dialect=dialect))


def _condition(text: str, dialect: Any, flag: str) -> Any:
    """The tree of ``text`` read as one read-only condition of ``dialect`` (a SqlTextError otherwise)."""
    import sqlglot
    from sqlglot import exp

    try:
        condition = sqlglot.parse_one(text, read=dialect, into=exp.Condition)
    except sqlglot.errors.SqlglotError as exc:
        raise SqlTextError(f"{flag}: not one SQL condition: {_problem(exc)}") from exc
    _refuse_writes(condition, flag)
    _refuse_misread(text, condition, flag)
    return condition


def _refuse_misread(text: str, tree: Any, flag: str) -> None:
    """sqlglot reads ``n > > 4`` as the shift ``n >> 4`` (a valid condition the user did not write): a shift
    the text does not spell is refused, not sent."""
    from sqlglot import exp

    for node, spelled in ((exp.BitwiseRightShift, ">>"), (exp.BitwiseLeftShift, "<<")):
        if tree.find(node) is not None and spelled not in text:
            raise SqlTextError(f"{flag}: not one SQL condition: {spelled[0]} {spelled[0]} would be read as "
                               f"{spelled}")


def column_names(text: str, dialect: Any, flag: str = "--where") -> list[str]:
    """The unqualified column names the condition ``text`` refers to (read as :func:`read_condition` reads it)."""
    from sqlglot import exp

    return sorted({c.name for c in _condition(text, dialect, flag).find_all(exp.Column) if not c.table})


def _refuse_writes(tree: Any, flag: str) -> None:
    found = tree.find(*_writes())
    if found is not None:
        raise SqlTextError(f"{flag}: {_kind(found)} writes or changes the session; verify only reads")


def _kind(node: Any) -> str:
    key: str = node.key
    return key.upper()


_CLASS = re.compile(r"<class 'sqlglot\.expressions\.(\w+)'>")


def _problem(exc: Any) -> str:
    """Where and why sqlglot could not read the text, in the user's words (its column, its token)."""
    errors = getattr(exc, "errors", None) or [{}]
    first = errors[0]
    description = _CLASS.sub(lambda m: m.group(1).upper(), str(first.get("description") or exc).split("\n", 1)[0])
    where = (f"at line {first['line']}, column {first['col']} ({terminal_text(str(first.get('highlight', '')))!r}): "
             if first.get("line") else "")
    text = where + description
    return text if len(text) <= REASON_CHARS else text[:REASON_CHARS] + "..."
