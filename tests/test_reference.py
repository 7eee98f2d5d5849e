"""The shipped reference data (provinces, bodies), its loader's checks and the reference graph."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from mappings.emission.reference_graph import reference_graph
from mappings.emission.vocab import VK
from mappings.extraction.reference import (
    Body,
    ProvincialBody,
    ReferenceDataError,
    Unit,
    load_bodies,
    load_provincial_bodies,
    load_units,
    units_valid_on,
)

BASE = "http://localhost:8000/"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")  # rdflib's XSD warns when pytest inspects it
BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)
UNCHANGED = (
    "ha-noi", "hue", "lai-chau", "dien-bien", "son-la", "lang-son",
    "quang-ninh", "thanh-hoa", "nghe-an", "ha-tinh", "cao-bang",
)
# Decision 19/2025/QĐ-TTg: the codes of the 34 units from 1 July 2025.
CODES_2025 = {
    "01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25", "31", "33", "37", "38", "40",
    "42", "44", "46", "48", "51", "52", "56", "66", "68", "75", "79", "80", "82", "86", "91", "92", "96",
}


def slug(name: str) -> str:
    """Lower-case ASCII slug, Vietnamese folded (đ → d)."""
    folded = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(char for char in folded if not unicodedata.combining(char)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")


OPEN_SYLLABLE_TONE = re.compile(r"(?<![qQ])([oO][\u0300\u0301\u0303\u0309\u0323])([aAeE])(?!\w)"
                                r"|(?<![qQ])([uU][\u0300\u0301\u0303\u0309\u0323])([yY])(?!\w)")


def old_tone(name: str) -> str:
    """The old tone placement of `name`: "Hóa" → "Hoá", "ủy" → "uỷ"."""
    def move(match: re.Match[str]) -> str:
        toned, vowel = (match[1], match[2]) if match[1] else (match[3], match[4])
        return toned[0] + vowel + toned[1]
    return unicodedata.normalize("NFC", OPEN_SYLLABLE_TONE.sub(move, unicodedata.normalize("NFD", name)))


@pytest.mark.parametrize(
    ("name", "old"),
    [
        ("Thanh Hóa", "Thanh Hoá"),
        ("Ủy ban Kiểm tra Tỉnh ủy", "Uỷ ban Kiểm tra Tỉnh uỷ"),
        ("Hoàn Kiếm", "Hoàn Kiếm"),
        ("Quý", "Quý"),
        ("Quảng Ngãi", "Quảng Ngãi"),
    ],
)
def test_old_tone(name: str, old: str) -> None:
    assert old_tone(name) == old


def by_label(day: date) -> dict[str, str]:
    return {label: unit.key for unit in units_valid_on(day) for label in unit.labels}


def units_by_key() -> dict[str, Unit]:
    return {unit.key: unit for unit in load_units()}


# --- the shipped provinces ---------------------------------------------------------------------------


def test_63_units_before_the_merger_and_34_after() -> None:
    assert len(units_valid_on(BEFORE)) == 63
    assert len(units_valid_on(AFTER)) == 34
    assert len(load_units()) == 63 + 1 + 23  # with Huế (2025-01-01) and the 23 merged units


def test_the_11_unchanged_units_are_the_same_records_before_and_after() -> None:
    keys = units_by_key()
    for key in UNCHANGED:
        assert keys[key].valid_on(BEFORE) and keys[key].valid_on(AFTER), key
        assert f"{key}-2025" not in keys


def test_each_merged_unit_is_new_and_keeps_its_namesake() -> None:
    merged = [unit for unit in load_units() if unit.key.endswith("-2025")]
    assert len(merged) == 23
    for unit in merged:
        namesake = unit.key.removesuffix("-2025")
        assert unit.valid_from == AFTER and unit.absorbed[0] == namesake, unit.key
        assert units_by_key()[namesake].name == unit.name


def test_every_unit_that_ends_on_30_june_2025_is_absorbed_exactly_once() -> None:
    ended = {unit.key for unit in units_valid_on(BEFORE)} - {unit.key for unit in units_valid_on(AFTER)}
    absorbed = [key for unit in units_valid_on(AFTER) for key in unit.absorbed if unit.valid_from == AFTER]
    assert len(ended) == 52
    assert sorted(absorbed) == sorted(ended)


def test_every_absorbed_key_exists_and_ends_the_day_before() -> None:
    keys = units_by_key()
    for unit in load_units():
        for key in unit.absorbed:
            assert unit.valid_from is not None
            assert keys[key].valid_until == date.fromordinal(unit.valid_from.toordinal() - 1), (unit.key, key)


def test_thua_thien_hue_becomes_the_city_of_hue_on_1_january_2025() -> None:
    assert by_label(date(2024, 12, 31))["Thừa Thiên Huế"] == "thua-thien-hue"
    on_new_year = {unit.key for unit in units_valid_on(date(2025, 1, 1))}
    assert "hue" in on_new_year and "thua-thien-hue" not in on_new_year
    assert units_by_key()["hue"].absorbed == ("thua-thien-hue",)


def test_keys_are_unique_slugs_of_the_names() -> None:
    keys = [unit.key for unit in load_units()]
    assert len(keys) == len(set(keys))
    for unit in load_units():
        assert re.fullmatch(r"[a-z0-9-]+", unit.key)
        assert unit.key in (slug(unit.name), slug(unit.name) + "-2025"), unit.key


def test_names_and_aliases_are_nfc_and_aliases_keep_old_tone_placement() -> None:
    for unit in load_units():
        assert all(unicodedata.is_normalized("NFC", label) for label in (*unit.labels, unit.en))
        if old_tone(unit.name) != unit.name:
            assert old_tone(unit.name) in unit.aliases, unit.key


@pytest.mark.parametrize("day", sorted({d for u in load_units() for d in (u.valid_from, u.valid_until) if d}))
def test_no_label_or_code_is_shared_by_two_units_valid_on_the_same_day(day: date) -> None:
    units = units_valid_on(day)
    labels = [label.casefold() for unit in units for label in unit.labels]
    assert len(labels) == len(set(labels))
    assert len({unit.code for unit in units}) == len(units)


def test_codes() -> None:
    assert all(re.fullmatch(r"[0-9]{2}", unit.code) for unit in load_units())
    assert {unit.code for unit in units_valid_on(AFTER)} == CODES_2025
    codes = {key: unit.code for key, unit in units_by_key().items()}
    assert [codes[key] for key in ("thanh-hoa", "ho-chi-minh", "ba-ria-vung-tau")] == ["38", "79", "77"]


def test_centrally_run_cities() -> None:
    cities = {unit.key for unit in units_valid_on(date(2024, 6, 1)) if unit.kind == "city"}
    assert cities == {"ha-noi", "ho-chi-minh", "hai-phong", "da-nang", "can-tho"}
    cities = {unit.key for unit in units_valid_on(AFTER) if unit.kind == "city"}
    assert cities == {"ha-noi", "hue", "ho-chi-minh-2025", "hai-phong-2025", "da-nang-2025", "can-tho-2025"}


@pytest.mark.parametrize(
    ("label", "day", "key"),
    [
        ("Thanh Hoá", date(2024, 5, 27), "thanh-hoa"),
        ("Thanh Hóa", AFTER, "thanh-hoa"),
        ("Khánh Hoà", date(2020, 1, 1), "khanh-hoa"),
        ("Khánh Hoà", AFTER, "khanh-hoa-2025"),
        ("Hoà Bình", date(2020, 1, 1), "hoa-binh"),
        ("Thừa Thiên - Huế", date(2020, 1, 1), "thua-thien-hue"),
        ("Thừa Thiên-Huế", date(2020, 1, 1), "thua-thien-hue"),
        ("TP. HCM", date(2019, 7, 1), "ho-chi-minh"),
        ("TP HCM", AFTER, "ho-chi-minh-2025"),
        ("Thành phố Hồ Chí Minh", date(2019, 7, 1), "ho-chi-minh"),
        ("Sài Gòn", date(2019, 7, 1), "ho-chi-minh"),
        ("Bà Rịa-Vũng Tàu", date(2019, 7, 1), "ba-ria-vung-tau"),
        ("BR-VT", date(2019, 7, 1), "ba-ria-vung-tau"),
        ("Đắc Lắc", date(2019, 7, 1), "dak-lak"),
        ("Đăk Lăk", AFTER, "dak-lak-2025"),
        ("Đăk Nông", date(2019, 7, 1), "dak-nong"),
        ("Kontum", date(2019, 7, 1), "kon-tum"),
        ("Long An", date(2019, 7, 1), "long-an"),
    ],
)
def test_aliases_resolve_to_the_unit_of_their_day(label: str, day: date, key: str) -> None:
    assert by_label(day)[label] == key


def test_hcm_is_not_an_alias_of_the_city_but_needs_a_prefix() -> None:
    for key in ("ho-chi-minh", "ho-chi-minh-2025"):
        unit = units_by_key()[key]
        assert unit.needs_prefix and unit.name == "Hồ Chí Minh" and "Hồ Chí Minh" not in unit.aliases
    assert units_by_key()["hue"].needs_prefix and not units_by_key()["thanh-hoa"].needs_prefix


def test_loading_is_cached() -> None:
    assert load_units() is load_units()
    assert load_bodies() is load_bodies()


# --- the shipped bodies ------------------------------------------------------------------------------


def test_central_bodies() -> None:
    bodies = {body.key: body for body in load_bodies()}
    assert (bodies["bo-chinh-tri"].name, bodies["bo-chinh-tri"].en, bodies["bo-chinh-tri"].issuer_code) == (
        "Bộ Chính trị", "Politburo", "TW",
    )
    assert bodies["ban-to-chuc-trung-uong"].issuer_code == "BTCTW"
    assert bodies["thu-tuong-chinh-phu"].issuer_code == "TTg"
    central_committee = bodies["ban-chap-hanh-trung-uong"]
    assert {"Ban Chấp hành Trung ương Đảng", "BCH Trung ương"} <= set(central_committee.aliases)
    assert "ban-tuyen-giao-va-dan-van-trung-uong" in bodies


def test_terms_and_bare_trung_uong_are_not_aliases() -> None:
    labels = {label for body in load_bodies() for label in body.labels}
    assert "Trung ương" not in labels
    assert not any("khóa" in label or "khoá" in label for label in labels)


def test_provincial_bodies() -> None:
    bodies = {body.key: body for body in load_provincial_bodies()}
    standing = bodies["ban-thuong-vu-tinh-uy"]
    assert (standing.name, standing.city_name, standing.issuer_code) == (
        "Ban Thường vụ Tỉnh ủy", "Ban Thường vụ Thành ủy", "TU",
    )
    assert {"Ban Thường vụ Tỉnh uỷ", "BTV Tỉnh ủy"} <= set(standing.aliases)
    assert bodies["ban-to-chuc-tinh-uy"].issuer_code == "BTCTU"
    assert bodies["hoi-dong-nhan-dan-tinh"].issuer_code == "HĐND"


def test_body_keys_are_unique_slugs_and_labels_are_distinct() -> None:
    bodies: tuple[Body | ProvincialBody, ...] = (*load_bodies(), *load_provincial_bodies())
    assert len({body.key for body in bodies}) == len(bodies)
    for body in bodies:
        assert body.key == slug(body.name), body.key
        names = (body.name, body.city_name) if isinstance(body, ProvincialBody) else (body.name,)
        for name in names:
            assert unicodedata.is_normalized("NFC", name)
            if old_tone(name) != name:
                assert old_tone(name) in body.aliases, (body.key, name)
    labels = [(body.key, label.casefold()) for body in bodies for label in set(body.labels)]
    owners: dict[str, set[str]] = {}
    for key, label in labels:
        owners.setdefault(label, set()).add(key)
    assert all(len(keys) == 1 for keys in owners.values())


# --- the loader's errors -----------------------------------------------------------------------------


def toml_table(table: str, **fields: object) -> str:
    """One [[table]]; a None field is left out, dates are written as TOML dates."""
    def value(v: object) -> str:
        if isinstance(v, bool):
            return str(v).lower()
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, list):
            return "[" + ", ".join(value(item) for item in v) + "]"
        return '"' + str(v) + '"'
    lines = [f"{name} = {value(v)}" for name, v in fields.items() if v is not None]
    return f"[[{table}]]\n" + "\n".join(lines) + "\n\n"


def unit(key: str | None = "a", **fields: object) -> str:
    defaults: dict[str, object] = {"name": (key or "x").upper(), "kind": "province", "code": "01", "en": "A"}
    return toml_table("unit", key=key, **{**defaults, **fields})


def second(**fields: object) -> str:
    """A unit 'b' with its own code, to put after unit()."""
    return unit("b", **{"code": "02", **fields})


def body(table: str = "body", key: str = "a", **fields: object) -> str:
    defaults: dict[str, object] = {"name": key.upper(), "en": "A"}
    if table == "provincial_body":
        defaults["city_name"] = key.upper() + " city"
    return toml_table(table, key=key, **{**defaults, **fields})


OLD, NEW = {"valid_until": date(2025, 6, 30)}, {"valid_from": AFTER}

UNIT_ERRORS = [
    ("missing key", unit(None), "#1", "key"),
    ("missing name", unit(name=None), "a", "name"),
    ("key not a slug", unit("Thanh Hóa"), "Thanh Hóa", "key"),
    ("duplicate key", unit() + unit(code="02"), "a", "key"),
    ("bad date", unit(valid_from="2025-13-01"), "a", "valid_from"),
    ("datetime", unit(valid_until=datetime(2025, 6, 30, 12)), "a", "valid_until"),
    ("ends before it begins", unit(valid_from=AFTER, valid_until=BEFORE), "a", "valid_until"),
    ("unknown absorbed key", unit("b", absorbed=["zz"], **NEW), "b", "absorbed"),
    ("absorbed not ended", unit(**OLD) + second(absorbed=["a"], valid_from=BEFORE), "b", "absorbed"),
    ("absorbing without valid_from", unit(**OLD) + second(absorbed=["a"]), "b", "valid_from"),
    ("alias shared", unit(aliases=["X"]) + second(aliases=["X"]), "b", "aliases"),
    ("alias is another name", unit() + second(aliases=["a"]), "b", "aliases"),
    ("alias is the name", unit(aliases=["A"]), "a", "aliases"),
    ("alias repeated", unit(aliases=["X", "X"]), "a", "aliases"),
    ("code shared", unit() + second(code="01"), "b", "code"),
    ("bad code", unit(code="1"), "a", "code"),
    ("bad kind", unit(kind="state"), "a", "kind"),
    ("name not NFC", unit(name=unicodedata.normalize("NFD", "Thanh Hóa")), "a", "name"),
    ("stray space", unit(name="Thanh  Hóa"), "a", "name"),
    ("unknown field", unit(alias=["X"]), "a", "alias"),
    ("flag not bool", unit(needs_prefix="yes"), "a", "needs_prefix"),
]

BODY_ERRORS = [
    ("missing city_name", body("provincial_body", city_name=None), "a", "city_name"),
    ("alias shared across tables", body(aliases=["X"]) + body("provincial_body", "b", aliases=["x"]), "b",
     "aliases"),
    ("duplicate key across tables", body() + body("provincial_body"), "a", "key"),
    ("bad issuer code", body(issuer_code="T-W"), "a", "issuer_code"),
    ("missing en", body(en=None), "a", "en"),
]


def assert_names(error: ReferenceDataError, entry: str, field: str) -> None:
    message = str(error)
    assert message.startswith("bad.toml: "), message
    assert f"entry {entry!r}" in message and f"field {field!r}" in message, message
    assert (error.entry, error.field) == (entry, field)


@pytest.mark.parametrize(("case", "text", "entry", "field"), UNIT_ERRORS, ids=[c[0] for c in UNIT_ERRORS])
def test_unit_errors_name_file_entry_and_field(
    tmp_path: Path, case: str, text: str, entry: str, field: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError) as error:
        load_units(path)
    assert_names(error.value, entry, field)


@pytest.mark.parametrize(("case", "text", "entry", "field"), BODY_ERRORS, ids=[c[0] for c in BODY_ERRORS])
def test_body_errors_name_file_entry_and_field(
    tmp_path: Path, case: str, text: str, entry: str, field: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError) as error:
        load_bodies(path)
    assert_names(error.value, entry, field)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[units]]\nkey = 'a'\n", "unknown table 'units'"),
        ("[[unit]\n", "not valid TOML"),
        ("unit = 1\n", "must be written as [[unit]] tables"),
    ],
)
def test_file_errors_name_the_file(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=re.escape(problem)) as error:
        load_units(path)
    assert str(error.value).startswith("bad.toml: ")


def test_a_label_may_pass_from_an_old_unit_to_its_successor(tmp_path: Path) -> None:
    path = tmp_path / "ok.toml"
    text = unit(aliases=["X"], **OLD) + second(aliases=["X"], absorbed=["a"], **NEW)
    path.write_text(text, encoding="utf-8")
    assert [u.key for u in load_units(path)] == ["a", "b"]


# --- the reference graph -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> Graph:
    return reference_graph(BASE)


def test_graph_has_one_province_node_per_unit_and_one_org_node_per_body(graph: Graph) -> None:
    provinces = set(graph.subjects(RDF.type, VK.Province))
    assert len(provinces) == 63 + 23 + 1
    assert URIRef(BASE + "id/province/thanh-hoa") in provinces
    assert len(set(graph.subjects(RDF.type, VK.Organization))) == len(load_bodies())


def test_graph_round_trips_through_turtle_and_ntriples(graph: Graph) -> None:
    for fmt in ("turtle", "nt"):
        assert isomorphic(Graph().parse(data=graph.serialize(format=fmt), format=fmt), graph)


def test_graph_describes_a_unit(graph: Graph) -> None:
    node = URIRef(BASE + "id/province/thanh-hoa")
    labels = {(str(label), label.language) for label in graph.objects(node, RDFS.label)}
    assert labels == {("Thanh Hóa", "vi"), ("Thanh Hoa Province", "en")}
    assert {str(alias) for alias in graph.objects(node, SKOS.altLabel)} == {"Thanh Hoá"}
    assert str(graph.value(node, VK.code)) == "38"


def test_graph_describes_a_merger(graph: Graph) -> None:
    node = URIRef(BASE + "id/province/ho-chi-minh-2025")
    absorbed = {str(old).removeprefix(BASE + "id/province/") for old in graph.objects(node, VK.absorbed)}
    assert absorbed == {"ho-chi-minh", "binh-duong", "ba-ria-vung-tau"}
    valid_from = graph.value(node, VK.validFrom)
    assert valid_from.datatype == XSD_DATE and valid_from.toPython() == AFTER
    old = URIRef(BASE + "id/province/binh-duong")
    assert graph.value(old, VK.validUntil).toPython() == BEFORE
    for old_node in graph.objects(None, VK.absorbed):
        assert (old_node, RDF.type, VK.Province) in graph


def test_graph_describes_a_body(graph: Graph) -> None:
    node = URIRef(BASE + "id/org/bo-chinh-tri")
    assert {str(label) for label in graph.objects(node, RDFS.label)} == {"Bộ Chính trị", "Politburo"}
    assert str(graph.value(node, VK.issuerCode)) == "TW"


def test_every_node_has_exactly_one_vi_label(graph: Graph) -> None:
    for node in set(graph.subjects(RDF.type, None)):
        assert [label.language for label in graph.objects(node, RDFS.label)].count("vi") == 1, node


def test_graph_needs_a_base_ending_in_a_slash() -> None:
    with pytest.raises(ValueError, match="base"):
        reference_graph("http://localhost:8000")
