"""The reports of ``modelgate graph`` (mermaid, Graphviz DOT) and ``modelgate impact`` (text).

Both render the command's view, which is also its JSON: the graph's ``{"nodes": [...], "edges": [...]}`` (nodes
sorted by id, edges by their ends), and impact's ``{"node", "start", "impacted": [{model, depth, owners, chain}]}``.
"""

from __future__ import annotations

from typing import Any

from bot.escape import dot_string, mermaid_id, mermaid_label, terminal_text


def mermaid(view: dict[str, Any]) -> str:
    """A mermaid flowchart: models as boxes, contract versions as rounded boxes, missing versions dashed."""
    defined = {node["id"]: node["defined"] for node in view["nodes"]}
    lines = ["flowchart LR"]
    for node in view["nodes"]:
        label = mermaid_label(node["id"] if node["defined"] else f"{node['id']} (not defined)")
        shape = f"[{label}]" if node["kind"] == "model" else f"([{label}])"
        lines.append(f"  {mermaid_id(node['id'])}{shape}")
    for edge in view["edges"]:
        arrow = "-->" if defined[edge["from"]] and defined[edge["to"]] else "-.->"
        lines.append(f"  {mermaid_id(edge['from'])} {arrow} {mermaid_id(edge['to'])}")
    return "\n".join(lines) + "\n"


def dot(view: dict[str, Any]) -> str:
    lines = ["digraph modelgate {", "  rankdir=LR;"]
    for node in view["nodes"]:
        shape = "box" if node["kind"] == "model" else "ellipse"
        style = "" if node["defined"] else ", style=dashed"
        lines.append(f"  {dot_string(node['id'])} [shape={shape}{style}];")
    lines.extend(f"  {dot_string(edge['from'])} -> {dot_string(edge['to'])};" for edge in view["edges"])
    lines.append("}")
    return "\n".join(lines) + "\n"


def impact_text(view: dict[str, Any]) -> str:
    """The impacted models, one terminal line each: depth, model, owners and the chain (every name escaped)."""
    head = ", ".join(map(terminal_text, view["start"]))
    rows = view["impacted"]
    if not rows:
        return f"{head}: no model depends on it\n"
    lines = [f"{head}: {len(rows)} model{'s depend' if len(rows) != 1 else ' depends'} on it"]
    models = [terminal_text(r["model"]) for r in rows]
    width = max(map(len, models))
    for row, model in zip(rows, models, strict=True):
        owners = ", ".join(map(terminal_text, row["owners"])) or "(no owners)"
        chain = " → ".join(map(terminal_text, row["chain"]))
        lines.append(f"  {row['depth']:>2}  {model:<{width}}  {owners}  ({chain})")
    return "\n".join(lines) + "\n"
