"""Graphviz dot text for a ``graph_model.Model``: active nodes filled, inactive ones grey, the
values the reverse sweep saves outlined in red with their size, loops and branches as clusters,
and a legend. Plain text, deterministic, no dependency: ``dot -Tsvg`` draws it."""
import os

ACTIVE = "#cfe0f5"          # fill of a statement that carries a derivative
WRT = "#7fa9dc"             # fill of a wrt argument
INACTIVE_TEXT = "#777777"
SAVED = "#d9480f"           # outline of a value the forward sweep pushes on the stack
ACTIVE_EDGE = "#1f4e8c"
INACTIVE_EDGE = "#b0b0b0"
SHAPES = {"param": "ellipse", "op": "box", "loop": "cds", "test": "diamond", "return": "oval",
          "jump": "plaintext"}
TITLE_SAVED = 8             # saved values listed above the picture (all are outlined)
CLUSTER_STYLES = {"loop": ("rounded,bold", "#555555"), "branch": ("rounded", "#8a6d3b"),
                  "else": ("rounded,dashed", "#8a6d3b")}


def quoted(s, left=False):
    """A dot string: quotes and backslashes escaped, lines split by ``\\n`` (centred) or,
    ``left``, each ended by ``\\l`` (left-justified)."""
    lines = str(s).replace("\\", "\\\\").replace('"', '\\"').split("\n")
    if left:
        return '"' + "".join(line + "\\l" for line in lines) + '"'
    return '"' + "\\n".join(lines) + '"'


def attributes(**attrs):
    return "[" + ", ".join(f"{k}={quoted(v)}" for k, v in attrs.items() if v is not None) + "]"


def node_line(n, filename):
    label = n.label + (" (wrt)" if n.wrt else "")
    for s in n.saved:
        where = " per trip" if s.loops else ""
        label += f"\nsaved: {s.name + ', ' if s.control else ''}{s.size}{where}"
    tip = f"{os.path.basename(filename)}:{n.line}: {n.source}"
    if n.why:
        tip += f"\n{n.why}"
    attrs = {"label": label, "shape": SHAPES[n.kind], "tooltip": tip}
    if n.active or n.wrt:
        attrs["fillcolor"] = WRT if n.wrt else ACTIVE
    else:
        attrs.update(fillcolor="white", fontcolor=INACTIVE_TEXT, color=INACTIVE_TEXT)
    if n.saved:
        attrs.update(color=SAVED, penwidth="2.5")
    if n.kind == "return":
        attrs["peripheries"] = "2"
    return f"{n.id} {attributes(**attrs)};"


def edge_line(e, nodes):
    attrs = {"tooltip": f"{e.name}" + (" (from the previous trip)" if e.carried else "")}
    if e.active:
        attrs.update(color=ACTIVE_EDGE, penwidth="1.6")
    else:
        attrs["color"] = INACTIVE_EDGE
    if e.carried:
        attrs.update(style="dashed", constraint="false")
    if len(nodes[e.source].names) > 1:     # which part of a tuple binding flows here
        attrs["label"] = e.name
    return f"{e.source} -> {e.target} {attributes(**attrs)};"


def cluster_lines(cluster, nodes, filename, indent):
    pad = " " * indent
    lines = []
    if cluster.kind != "root":
        style, color = CLUSTER_STYLES[cluster.kind]
        lines.append(f"{pad}subgraph {cluster.id} {{")
        lines.append(f"{pad}  graph {attributes(label=cluster.label, style=style, color=color, fontcolor=color)};")
        pad += "  "
    for m in cluster.members:
        lines.append(pad + node_line(nodes[m], filename))
    for child in cluster.children:
        lines += cluster_lines(child, nodes, filename, len(pad))
    if cluster.kind != "root":
        lines.append(pad[:-2] + "}")
    return lines


def title(model):
    """What the picture answers, in two or three lines above it."""
    wrt = ", ".join(model.wrt)
    head = f"{model.name}({', '.join(model.params)}): srcad's core language, wrt {wrt}"
    if not model.specialised:
        head += " (general: no example arguments, sizes are kinds)"
    saved = model.saved
    if not saved:
        return head + "\nthe reverse sweep saves nothing on its stack"
    shown = [f"  {s.describe()}" for s in saved[:TITLE_SAVED]]
    if len(saved) > TITLE_SAVED:
        shown.append(f"  and {len(saved) - TITLE_SAVED} more (outlined in red)")
    return "\n".join([head, "the reverse sweep's stack holds:"] + shown)


def legend_lines():
    lines = ["  subgraph cluster_legend {",
             f"    graph {attributes(label='legend', style='rounded', color='#aaaaaa', fontcolor='#555555')};",
             f"    legend_wrt {attributes(label='wrt argument', shape='ellipse', fillcolor=WRT)};",
             f"    legend_active {attributes(label='active: depends on wrt and reaches the output', fillcolor=ACTIVE)};",
             f"    legend_inactive {attributes(label='inactive: no derivative flows through it', fillcolor='white', fontcolor=INACTIVE_TEXT, color=INACTIVE_TEXT)};",
             f"    legend_saved {attributes(label='saved on the stack for the reverse sweep', fillcolor=ACTIVE, color=SAVED, penwidth='2.5')};",
             f"    legend_wrt -> legend_active {attributes(color=ACTIVE_EDGE, penwidth='1.6', tooltip='a derivative flows')};",
             f"    legend_active -> legend_saved {attributes(style='dashed', color=ACTIVE_EDGE, label=' next trip', tooltip='a value from the previous trip of a loop')};",
             "  }"]
    return lines


def render(model, legend=True):
    """The dot text of ``model``."""
    lines = [f"digraph {quoted(model.name)} {{",
             f"  graph [label={quoted(title(model), left=True)}, {attributes(labelloc='t', labeljust='l', fontname='Helvetica', fontsize='12', newrank='true')[1:]};",
             f"  node {attributes(shape='box', style='rounded,filled', fontname='Helvetica', fontsize='11')};",
             f"  edge {attributes(arrowsize='0.7', fontname='Helvetica', fontsize='10')};"]
    lines += cluster_lines(model.root, model.nodes, model.filename, 2)
    lines += ["  " + edge_line(e, model.nodes) for e in model.edges]
    if legend:
        lines += legend_lines()
    lines.append("}")
    return "\n".join(lines) + "\n"
