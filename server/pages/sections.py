"""What a page shows beyond a resource's properties, by class: a document's lineage and the provinces
and meetings that acted on it; a province's documents and meetings over time, with those of the units
it absorbed in 2025; an official's positions and meetings. Each section has a table and most have a
picture (`server.pages.pictures`) saying the same, drawn from the same description.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from pyoxigraph import NamedNode

from server.http.namespaces import PREFIXES, RDF_TYPE
from server.pages.description import VK, Shown, Term
from server.pages.pictures import Caption, Edge, Event, Node, graph, timeline
from server.pages.reading import Reader, Value

ORG = PREFIXES["org"]
RELATIONS = {VK + "replaces": "replaces", VK + "implements": "implements", VK + "basedOn": "based_on"}
ROLES = {VK + "chairedBy": "chaired", VK + "participant": "attended"}
MAX_DOCUMENTS = 12  # documents drawn next to an official's meetings
Cell = tuple[Value, ...]
NOTHING = Shown((), 0)


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # its messages: `{key}.title`, and `{key}.{column}` for each column heading
    columns: tuple[str, ...]
    rows: Sequence[Sequence[Cell]]
    picture: Markup | None = None
    more: int = 0  # items left out of the table and picture


def sections(reader: Reader) -> list[Section]:
    """The sections of the resource's classes, those with something to show."""
    types = reader.description.types()
    found = [section for cls, build in BUILDERS.items() if cls in types for section in build(reader)]
    return [_without_empty_columns(section) for section in found if section.rows]


def _without_empty_columns(section: Section) -> Section:
    """Drops the columns no row has a value in (an official's positions name no organization ...)."""
    used = [i for i in range(len(section.columns)) if any(row[i] for row in section.rows)]
    columns = tuple(section.columns[i] for i in used)
    rows = [tuple(row[i] for i in used) for row in section.rows]
    return Section(section.key, columns, rows, section.picture, section.more)


def _document(r: Reader) -> list[Section]:
    me, shown = r.description.node, r.description.neighbourhoods.get("lineage", NOTHING)
    edges = [
        (s, rel, o)
        for s in shown.items
        for rel in RELATIONS
        for o in r.graph.objects(s, rel)
        if o in shown.items
    ]
    rows = [
        (_text(r.t(f"resource.lineage.{name}")), (r.value(other),), _text(_date(r, other)))
        for relation, name in RELATIONS.items()
        for other in sorted(set(r.graph.objects(me, relation)), key=str)
    ] + [
        (_text(r.t(f"resource.lineage.{name}_by")), (r.value(other),), _text(_date(r, other)))
        for relation, name in RELATIONS.items()
        for other in sorted(set(r.graph.subjects(relation, me)), key=str)
    ]
    picture = _lineage_picture(r, shown, edges) if edges else None
    lineage = Section("resource.lineage", ("relation", "document", "date"), rows, picture, shown.more)
    return [lineage, _acted_on(r)]


def _lineage_picture(r: Reader, shown: Shown, edges: list[tuple[NamedNode, str, Term]]) -> Markup:
    """Older documents left, those that replace, implement or are based on them to their right."""
    layers = _layers(shown.items, [(s, o) for s, _, o in edges])
    nodes = [
        Node(
            item.value,
            r.name(item),
            _join(_date(r, item), r.label(r.graph.value(item, VK + "province"))),
            r.urls.href(item.value),
            layers[item],
            item == r.description.node,
        )
        for item in sorted(shown.items, key=lambda i: (_date(r, i) or "9999", r.name(i)))
    ]
    lines = [Edge(s.value, o.value, r.t(f"resource.lineage.{RELATIONS[rel]}")) for s, rel, o in edges]
    name = r.name(r.description.node)
    desc = r.t("resource.lineage.picture_desc", n=len(nodes)) + _more(r, shown.more)
    return graph(Caption(r.t("resource.lineage.picture", name=name), desc), nodes, lines)


def _acted_on(r: Reader) -> Section:
    """Meetings about the document and provincial documents that follow it, by date."""
    me, meetings = r.description.node, r.description.neighbourhoods.get("meetings", NOTHING)
    rows = [(_date(r, m, VK + "heldOn"), m, r.graph.objects(m, VK + "heldIn")) for m in meetings.items]
    for relation in RELATIONS:
        rows += [
            (_date(r, s), s, r.graph.objects(s, VK + "province")) for s in set(r.graph.subjects(relation, me))
        ]
    table = [
        (_text(day), (r.value(item),), _values(r, places)) for day, item, places in sorted(rows, key=_by_date)
    ]
    return Section(
        "resource.acted", ("date", "what", "province"), [row for row in table if row[2]], more=meetings.more
    )


def _province(r: Reader) -> list[Section]:
    me, shown = r.description.node, r.description.neighbourhoods.get("events", NOTHING)
    events, rows = [], []
    for item in shown.items:
        is_document = NamedNode(VK + "Document") in r.graph.objects(item, RDF_TYPE)
        kind = "document" if is_document else "meeting"
        day = _date(r, item, VK + ("issuedOn" if is_document else "heldOn"))
        place = r.graph.value(item, VK + ("province" if is_document else "heldIn"))
        via = place if place is not None and place != me else None
        events.append(Event(day, r.name(item), r.urls.href(item.value), kind, r.label(via) or ""))
        rows.append((day, item, kind, via))
    legend = {kind: r.t(f"resource.events.{kind}") for kind in ("document", "meeting")}
    desc = r.t("resource.events.picture_desc", n=len(events)) + _more(r, shown.more)
    caption = Caption(r.t("resource.events.picture", name=r.name(me)), desc)
    picture = timeline(caption, events, legend, r.t("resource.undated")) if events else None
    table = [
        (_text(day), _text(legend[kind]), (r.value(item),), (r.value(via),) if via else ())
        for day, item, kind, via in sorted(rows, key=_by_date)
    ]
    return [Section("resource.events", ("date", "kind", "what", "via"), table, picture, shown.more)]


def _official(r: Reader) -> list[Section]:
    positions = r.description.neighbourhoods.get("positions", NOTHING)
    meetings = r.description.neighbourhoods.get("meetings", NOTHING)
    namesakes = r.description.neighbourhoods.get("namesakes", NOTHING)
    held = sorted((_post(r, p) for p in positions.items), key=_by_organisation_then_time)
    attended = sorted(meetings.items, key=lambda m: (_date(r, m, VK + "heldOn") or "9999", m.value))
    rows = [
        (
            _text(_date(r, m, VK + "heldOn")),
            (r.value(m),),
            _text(*_roles(r, m)),
            _values(r, r.graph.objects(m, VK + "heldIn")),
            _values(r, r.graph.objects(m, VK + "about")),
        )
        for m in attended
    ]
    picture = _official_picture(r, positions.items, attended) if positions.items or attended else None
    first, second = (picture, None) if held else (None, picture)  # the first section shown draws it
    columns = ("date", "meeting", "role", "place", "documents")
    others = [((r.value(o),), _values(r, (p for p in r.graph.objects(o, ORG + "hasMembership")))) for o in namesakes.items]
    return [
        Section("resource.positions", ("organization", "position", "role", "first", "last"), held, first),
        Section("resource.meetings", columns, rows, second, meetings.more),
        Section("resource.namesakes", ("person", "positions"), others, None, namesakes.more),
    ]


def _post(r: Reader, post: NamedNode) -> tuple[Cell, ...]:
    """A post held, on the timeline: its body, the title as written, the role, the first and last day attested."""
    days = sorted(str(d.value) for d in r.graph.objects(post, VK + "attestedOn"))
    return (_values(r, r.graph.objects(post, ORG + "organization")), (r.value(post),),
            _values(r, r.graph.objects(post, ORG + "role")), _text(days[0] if days else None),
            _text(days[-1] if len(days) > 1 else None))


def _by_organisation_then_time(row: tuple[Cell, ...]) -> tuple[str, str, str]:
    """Posts of one body together (those with no known body last), each body's in the order they were held."""
    organisation, title, _, first, _ = row
    return (organisation[0].text if organisation else "\uffff", first[0].text if first else "9999", title[0].text)


def _official_picture(r: Reader, positions: Sequence[NamedNode], meetings: Sequence[NamedNode]) -> Markup:
    """Positions left of the official, meetings (by date) right, and the documents they were about."""
    me = r.description.node
    about = {m: [d for d in r.graph.objects(m, VK + "about") if isinstance(d, NamedNode)] for m in meetings}
    documents = list(dict.fromkeys(d for m in meetings for d in about[m]))[:MAX_DOCUMENTS]
    nodes = [Node(p.value, r.name(p), "", r.urls.href(p.value), 0) for p in positions]
    nodes.append(Node(me.value, r.name(me), "", r.urls.href(me.value), 1, focus=True))
    nodes += [
        Node(m.value, r.name(m), _date(r, m, VK + "heldOn") or "", r.urls.href(m.value), 2) for m in meetings
    ]
    nodes += [Node(d.value, r.name(d), _date(r, d) or "", r.urls.href(d.value), 3) for d in documents]
    edges = [Edge(me.value, p.value, r.t("resource.positions.holds")) for p in positions]
    edges += [Edge(me.value, m.value, " / ".join(_roles(r, m))) for m in meetings]
    edges += [
        Edge(m.value, d.value, r.t("resource.meetings.about"))
        for m in meetings
        for d in about[m]
        if d in documents
    ]
    desc = r.t("resource.positions.picture_desc", positions=len(positions), meetings=len(meetings))
    return graph(Caption(r.t("resource.positions.picture", name=r.name(me)), desc), nodes, edges)


def _layers(items: Sequence[NamedNode], edges: Sequence[tuple[NamedNode, Term]]) -> dict[NamedNode, int]:
    """Each item one column right of the rightmost item it replaces, implements or is based on
    (longest path; a cycle in bad data stops growing once it spans every item)."""
    layer = dict.fromkeys(items, 0)
    for _ in items:
        changed = False
        for newer, older in edges:
            if isinstance(older, NamedNode) and layer[newer] <= layer[older] < len(items) - 1:
                layer[newer], changed = layer[older] + 1, True
        if not changed:
            break
    return layer


def _roles(r: Reader, meeting: NamedNode) -> list[str]:
    me = r.description.node
    return [
        r.t(f"resource.meetings.{name}")
        for role, name in ROLES.items()
        if me in r.graph.objects(meeting, role)
    ]


def _date(r: Reader, item: Term | None, predicate: str = VK + "issuedOn") -> str | None:
    day = r.graph.value(item, predicate)
    return day.value if day is not None else None


def _by_date(row: Sequence[Any]) -> tuple[bool, str, str]:
    """Rows (date, item, ...): dated ones first, oldest first, then by IRI."""
    return row[0] is None, row[0] or "", row[1].value


def _values(r: Reader, terms: Iterable[Term]) -> Cell:
    return tuple(r.value(term) for term in sorted(set(terms), key=str))


def _text(*texts: str | None) -> Cell:
    return tuple(Value(text) for text in texts if text)


def _join(*parts: str | None) -> str:
    return " · ".join(part for part in parts if part)


def _more(r: Reader, more: int) -> str:
    return " " + r.t("resource.more", n=more) if more else ""


BUILDERS: dict[str, Callable[[Reader], list[Section]]] = {
    VK + "Document": _document,
    VK + "Province": _province,
    VK + "Official": _official,
}
