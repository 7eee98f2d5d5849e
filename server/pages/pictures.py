"""Pictures drawn by the server as inline SVG, readable without JavaScript: a layered graph (a
document's lineage, an official's positions and meetings) and a timeline (a province's documents
and meetings). Layouts are deterministic; sizes are bounded by the number of items given.

Labels come from news text: every text and attribute is escaped here before the SVG is marked safe.

>>> svg = graph(Caption("<b>", "d"), [Node("a", "A & B", "2014", "/doc/a", 0)], [])
>>> "&lt;b&gt;" in svg and "A &amp; B" in svg and "<b>" not in svg
True
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 200, 44, 84, 14, 12
LABEL_CHARS, NOTE_CHARS, EVENT_CHARS = 30, 34, 56  # text longer than this is cut with "…"
WIDTH, ROW, AXIS_Y, UNDATED_W = 780, 22, 30, 130  # timeline
TICK_STEPS = (1, 2, 5, 10, 20, 50, 100)
MIN_TICK_PX = 44
ISO_DATE = re.compile(r"\d{4}(-\d{2}){0,2}")
# A square for documents, a dot for everything else; CSS gives each kind its colour.
MARKS = {"document": '<rect x="{x:.1f}" y="{y:.1f}" width="10" height="10" transform="translate(-5 -5)"/>'}
DOT = '<circle cx="{x:.1f}" cy="{y:.1f}" r="5"/>'
ARROW = (
    '<defs><marker id="picture-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
    'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker></defs>'
)


@dataclass(frozen=True, slots=True)
class Caption:
    title: str
    desc: str


@dataclass(frozen=True, slots=True)
class Node:
    key: str
    label: str
    note: str  # second line: a date, a place
    href: str
    column: int  # left to right
    focus: bool = False


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    label: str


@dataclass(frozen=True, slots=True)
class Event:
    date: str | None  # ISO: YYYY-MM-DD, YYYY-MM or YYYY
    label: str
    href: str
    kind: str  # a CSS class, and its key in the legend
    note: str = ""


def graph(caption: Caption, nodes: Sequence[Node], edges: Sequence[Edge]) -> Markup:
    """Nodes in columns (each column in the order given, centred), edges as labelled arrows."""
    columns: defaultdict[int, list[Node]] = defaultdict(list)
    for node in nodes:
        columns[node.column].append(node)
    rows = max((len(column) for column in columns.values()), default=1)
    height = 2 * PAD + rows * NODE_H + (rows - 1) * GAP_Y
    place: dict[str, tuple[float, float]] = {}
    for index, key in enumerate(sorted(columns)):
        top = PAD + (rows - len(columns[key])) * (NODE_H + GAP_Y) / 2
        for row, node in enumerate(columns[key]):
            place[node.key] = (PAD + index * (NODE_W + GAP_X), top + row * (NODE_H + GAP_Y))
    width = 2 * PAD + len(columns) * NODE_W + (len(columns) - 1) * GAP_X
    parts = [_open("graph", width, height, caption), ARROW]
    parts += [_edge(edge, place[edge.source], place[edge.target]) for edge in edges]
    parts += [_node(node, *place[node.key]) for node in nodes]
    return Markup("".join(parts) + "</svg>")


def timeline(caption: Caption, events: Sequence[Event], legend: dict[str, str], undated: str) -> Markup:
    """One row per event (oldest first, undated last) on a dated axis of years; marks by kind, and a
    legend of the kinds present."""
    legend = {kind: label for kind, label in legend.items() if any(e.kind == kind for e in events)}
    dated = sorted(
        (e for e in events if e.date and ISO_DATE.fullmatch(e.date)), key=lambda e: (e.date, e.label)
    )
    ordered = dated + [e for e in events if e not in dated]
    years = [_year_fraction(e.date) for e in dated if e.date] or [0.0]
    low, high = int(min(years)), int(max(years)) + 1
    left, right = 2 * PAD, WIDTH - PAD - UNDATED_W  # room for the first year's label

    def x(event: Event) -> float:
        if event not in dated or not event.date:
            return right + UNDATED_W / 2
        return left + (_year_fraction(event.date) - low) / (high - low) * (right - left)

    bottom = AXIS_Y + 12 + len(ordered) * ROW
    height = bottom + 12 + ROW * len(legend)
    parts = [_open("timeline", WIDTH, height, caption)]
    parts += _axis(low, high, left, right, bottom, undated if len(ordered) > len(dated) else "")
    for row, event in enumerate(ordered):
        parts.append(_event(event, x(event), AXIS_Y + 12 + (row + 0.5) * ROW, (left + right) / 2))
    for row, (kind, label) in enumerate(legend.items()):
        y = bottom + 12 + (row + 0.5) * ROW
        parts.append(
            f'<g class="legend {_e(kind)}">{_mark(kind, left + 6, y)}<text x="{left + 16}" y="{y + 4:.1f}">'
            f"{_e(label)}</text></g>"
        )
    return Markup("".join(parts) + "</svg>")


def _open(kind: str, width: float, height: float, caption: Caption) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="picture {kind}" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        'aria-labelledby="picture-title picture-desc">'
        f'<title id="picture-title">{_e(caption.title)}</title>'
        f'<desc id="picture-desc">{_e(caption.desc)}</desc>'
    )


def _node(node: Node, x: float, y: float) -> str:
    focus = " focus" if node.focus else ""
    tooltip = f"{node.label} ({node.note})" if node.note else node.label
    return (
        f'<a href="{_e(node.href)}" class="node{focus}"><title>{_e(tooltip)}</title>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="6"/>'
        f'<text x="{x + 8:.1f}" y="{y + 18:.1f}">{_e(_cut(node.label, LABEL_CHARS))}</text>'
        f'<text class="note" x="{x + 8:.1f}" y="{y + 35:.1f}">{_e(_cut(node.note, NOTE_CHARS))}</text></a>'
    )


def _edge(edge: Edge, source: tuple[float, float], target: tuple[float, float]) -> str:
    """A curve from side to side (around the right when both ends share a column), label midway."""
    (sx, sy), (tx, ty) = source, target
    sy, ty = sy + NODE_H / 2, ty + NODE_H / 2
    if tx == sx:
        x1 = x2 = sx + NODE_W
        bend = x1 + GAP_X / 2
        path, label_x = f"M{x1:.1f},{sy:.1f} C{bend:.1f},{sy:.1f} {bend:.1f},{ty:.1f} {x2:.1f},{ty:.1f}", bend
    else:
        x1, x2 = (sx, tx + NODE_W) if tx < sx else (sx + NODE_W, tx)
        middle = (x1 + x2) / 2
        path = f"M{x1:.1f},{sy:.1f} C{middle:.1f},{sy:.1f} {middle:.1f},{ty:.1f} {x2:.1f},{ty:.1f}"
        label_x = middle
    return (
        f'<g class="edge"><path d="{path}" marker-end="url(#picture-arrow)"/>'
        f'<text x="{label_x:.1f}" y="{(sy + ty) / 2 - 3:.1f}">{_e(edge.label)}</text></g>'
    )


def _axis(low: int, high: int, left: float, right: float, bottom: float, undated: str) -> list[str]:
    """Year ticks as grid lines (a step that leaves room for the labels), and the undated column."""
    step = next((s for s in TICK_STEPS if (right - left) * s / (high - low) >= MIN_TICK_PX), TICK_STEPS[-1])
    parts = []
    for year in range(-(-low // step) * step, high + 1, step):
        x = left + (year - low) / (high - low) * (right - left)
        parts.append(
            f'<g class="tick"><line x1="{x:.1f}" y1="{AXIS_Y - 4}" x2="{x:.1f}" y2="{bottom:.1f}"/>'
            f'<text x="{x:.1f}" y="{AXIS_Y - 10}">{year}</text></g>'
        )
    if undated:
        middle = right + UNDATED_W / 2
        parts.append(
            f'<g class="tick undated"><text x="{middle:.1f}" y="{AXIS_Y - 10}">{_e(undated)}</text></g>'
        )
    return parts


def _event(event: Event, x: float, y: float, middle: float) -> str:
    """The event's mark, and its date and label on the side with more room."""
    text = " · ".join(filter(None, (event.date, _cut(event.label, EVENT_CHARS), event.note)))
    anchor, text_x = ("end", x - 9) if x > middle else ("start", x + 9)
    return (
        f'<a href="{_e(event.href)}" class="event {_e(event.kind)}"><title>{_e(event.label)}</title>'
        f'{_mark(event.kind, x, y)}<text x="{text_x:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}">'
        f"{_e(text)}</text></a>"
    )


def _mark(kind: str, x: float, y: float) -> str:
    return MARKS.get(kind, DOT).format(x=x, y=y)


def _year_fraction(date: str) -> float:
    """`2014-08-18` → 2014.6 (month and day only place the mark within its year).

    >>> _year_fraction("2014"), round(_year_fraction("2014-07-01"), 2)
    (2014.0, 2014.5)
    """
    year, _, rest = date.partition("-")
    month, _, day = rest.partition("-")
    return int(year) + (int(month or 1) - 1) / 12 + (int(day or 1) - 1) / 365


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _e(text: str) -> str:
    return str(escape(text))
