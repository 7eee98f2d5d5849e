"""Reference data the project ships: administrative units and central bodies.

The data lives in editable TOML files under `ontology/reference/`; this module checks them and turns
them into frozen records (`mappings.emission.reference_graph` writes them as RDF). A malformed file
raises `ReferenceDataError` naming the file, the entry and the field.

>>> [unit.key for unit in load_units() if "Thanh Hoá" in unit.aliases]
['thanh-hoa']
"""
from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar, cast, get_args

from ontology import DIR as ONTOLOGY_DIR

REFERENCE_DIR = ONTOLOGY_DIR / "reference"
UNITS_FILE = REFERENCE_DIR / "provinces.toml"
BODIES_FILE = REFERENCE_DIR / "bodies.toml"

Kind = Literal["province", "city"]

KEY_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CODE_RE = re.compile(r"[0-9]{2}")
ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ISSUER_CODE_RE = re.compile(r"[A-Za-zĐđ]+")

UNIT_FIELDS = frozenset(
    {"key", "name", "kind", "code", "en", "aliases", "needs_prefix", "valid_from", "valid_until", "absorbed"}
)
BODY_FIELDS = frozenset({"key", "name", "en", "aliases", "issuer_code"})
PROVINCIAL_BODY_FIELDS = BODY_FIELDS | {"city_name"}


class ReferenceDataError(ValueError):
    """A reference file is malformed: the message names the file, the entry (its key) and the field."""

    def __init__(self, path: Path, problem: str, entry: str | None = None, field: str | None = None) -> None:
        where = "".join(f": {what} {name!r}" for what, name in (("entry", entry), ("field", field)) if name)
        super().__init__(f"{path.name}{where}: {problem}")
        self.path, self.entry, self.field = path, entry, field


@dataclass(frozen=True, slots=True)
class Unit:
    """A province or centrally-run city, valid from `valid_from` to `valid_until` (inclusive, None = open).

    `needs_prefix`: the bare `name` counts only after "TP", "TP.", "Thành phố" or "thành phố".
    """

    key: str
    name: str
    kind: Kind
    code: str
    en: str
    aliases: tuple[str, ...] = ()
    needs_prefix: bool = False
    valid_from: date | None = None
    valid_until: date | None = None
    absorbed: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """The name, then the aliases."""
        return (self.name, *self.aliases)

    def valid_on(self, day: date) -> bool:
        """Whether the unit exists on `day`."""
        return (self.valid_from or date.min) <= day <= (self.valid_until or date.max)

    def overlaps(self, other: Unit) -> bool:
        """Whether the two units exist on some common day."""
        starts = max(self.valid_from or date.min, other.valid_from or date.min)
        ends = min(self.valid_until or date.max, other.valid_until or date.max)
        return starts <= ends


@dataclass(frozen=True, slots=True)
class Body:
    """A central Party or State body; `issuer_code` is its code in document symbols (TW, BTCTW, TTg)."""

    key: str
    name: str
    en: str
    aliases: tuple[str, ...] = ()
    issuer_code: str | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        """The name, then the aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class ProvincialBody:
    """A body every province has; `city_name` is its name in centrally-run cities."""

    key: str
    name: str
    city_name: str
    en: str
    aliases: tuple[str, ...] = ()
    issuer_code: str | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        """The province name, the city name, then the aliases."""
        return (self.name, self.city_name, *self.aliases)


@functools.cache
def load_units(path: Path = UNITS_FILE) -> tuple[Unit, ...]:
    """Read and check the `[[unit]]` tables of `path` (cached per path)."""
    units = tuple(_unit(entry) for entry in read_tables(path, ("unit",))["unit"])
    _check_units(path, units)
    return units


def units_valid_on(day: date) -> tuple[Unit, ...]:
    """The shipped units that exist on `day`.

    >>> len(units_valid_on(date(2025, 6, 30))), len(units_valid_on(date(2025, 7, 1)))
    (63, 34)
    """
    return tuple(unit for unit in load_units() if unit.valid_on(day))


def load_bodies(path: Path = BODIES_FILE) -> tuple[Body, ...]:
    """Read and check the `[[body]]` tables of `path` (cached per path)."""
    return _read_bodies(path)[0]


def load_provincial_bodies(path: Path = BODIES_FILE) -> tuple[ProvincialBody, ...]:
    """Read and check the `[[provincial_body]]` tables of `path` (cached per path)."""
    return _read_bodies(path)[1]


# --- reading ---------------------------------------------------------------------------------------

_Record = TypeVar("_Record", bound=Unit | Body | ProvincialBody)


@dataclass(frozen=True, slots=True)
class Entry:
    """One TOML table, with typed getters whose errors name the file, this entry and the field."""

    path: Path
    name: str
    table: Mapping[str, Any]

    def error(self, field: str, problem: str) -> ReferenceDataError:
        return ReferenceDataError(self.path, problem, self.name, field)

    def check_fields(self, allowed: frozenset[str]) -> None:
        unknown = sorted(self.table.keys() - allowed)
        if unknown:
            raise self.error(unknown[0], f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def text(self, field: str) -> str:
        if field not in self.table:
            raise self.error(field, "missing")
        return self._checked_text(field, self.table[field])

    def matching(self, field: str, pattern: re.Pattern[str], what: str) -> str:
        value = self.text(field)
        if not pattern.fullmatch(value):
            raise self.error(field, f"{value!r} is not {what}")
        return value

    def texts(self, field: str) -> tuple[str, ...]:
        values = self.table.get(field, [])
        if not isinstance(values, list):
            raise self.error(field, "must be a list of strings")
        checked = tuple(self._checked_text(field, value) for value in values)
        repeated = [value for number, value in enumerate(checked) if value in checked[:number]]
        if repeated:
            raise self.error(field, f"{repeated[0]!r} is listed twice")
        return checked

    def flag(self, field: str) -> bool:
        value = self.table.get(field, False)
        if not isinstance(value, bool):
            raise self.error(field, f"must be true or false, not {value!r}")
        return value

    def day(self, field: str) -> date | None:
        value = self.table.get(field)
        if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
            return value
        if isinstance(value, str) and ISO_DATE_RE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(field, f"{str(value)!r} is not a date (write 2025-07-01)")

    def _checked_text(self, field: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(field, f"must be a non-empty string, not {value!r}")
        if value != value.strip() or "  " in value:
            raise self.error(field, f"{value!r} has stray spaces")
        if not unicodedata.is_normalized("NFC", value):
            raise self.error(field, f"{value!r} is not in Unicode NFC")
        return value


def read_tables(path: Path, tables: tuple[str, ...]) -> dict[str, list[Entry]]:
    """The entries of each array of tables named in `tables`; any other top-level name is an error."""
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except tomllib.TOMLDecodeError as exc:
        raise ReferenceDataError(path, f"not valid TOML: {exc}") from exc
    unknown = sorted(data.keys() - set(tables))
    if unknown:
        raise ReferenceDataError(path, f"unknown table {unknown[0]!r} (expected: {', '.join(tables)})")
    return {name: _entries(path, name, data.get(name, [])) for name in tables}


def _entries(path: Path, table: str, values: object) -> list[Entry]:
    if not isinstance(values, list) or not all(isinstance(value, dict) for value in values):
        raise ReferenceDataError(path, f"{table!r} must be written as [[{table}]] tables")
    return [Entry(path, _entry_name(value, number), value) for number, value in enumerate(values, 1)]


def _entry_name(table: Mapping[str, Any], number: int) -> str:
    key = table.get("key")
    return key if isinstance(key, str) and key else f"#{number}"


def _unit(entry: Entry) -> Unit:
    entry.check_fields(UNIT_FIELDS)
    kind = entry.text("kind")
    if kind not in get_args(Kind):
        raise entry.error("kind", f"{kind!r} is not one of {', '.join(get_args(Kind))}")
    unit = Unit(
        key=entry.matching("key", KEY_RE, "a lower-case ASCII slug like 'thanh-hoa'"),
        name=entry.text("name"),
        kind=cast(Kind, kind),
        code=entry.matching("code", CODE_RE, "a two-digit code like '01'"),
        en=entry.text("en"),
        aliases=_aliases(entry),
        needs_prefix=entry.flag("needs_prefix"),
        valid_from=entry.day("valid_from"),
        valid_until=entry.day("valid_until"),
        absorbed=entry.texts("absorbed"),
    )
    if unit.valid_from and unit.valid_until and unit.valid_until < unit.valid_from:
        raise entry.error("valid_until", f"{unit.valid_until} is before valid_from {unit.valid_from}")
    return unit


def _index(path: Path, records: Iterable[_Record]) -> dict[str, _Record]:
    """Records by key; a key used twice is an error."""
    index: dict[str, _Record] = {}
    for record in records:
        if record.key in index:
            raise ReferenceDataError(path, "key used by an earlier entry", record.key, "key")
        index[record.key] = record
    return index


def _check_units(path: Path, units: tuple[Unit, ...]) -> None:
    """Unique keys, absorbed units that end in time, and no code or label shared by units of one day."""
    by_key = _index(path, units)
    for unit in units:
        _check_absorbed(path, unit, by_key)

    def overlap(key: str, other: str) -> bool:
        return by_key[key].overlaps(by_key[other])

    codes = [(unit.key, "code", unit.code) for unit in units]
    for rows in (codes, _labelled(units)):
        _check_distinct(path, rows, overlap, " and both are valid on some day")


def _check_absorbed(path: Path, unit: Unit, by_key: Mapping[str, Unit]) -> None:
    """Each absorbed unit exists and ends the day before `unit` begins."""
    for key in unit.absorbed:
        old = by_key.get(key)
        if old is None or old is unit:
            raise ReferenceDataError(path, f"{key!r} is not the key of another unit", unit.key, "absorbed")
        if unit.valid_from is None:
            raise ReferenceDataError(path, "a unit that absorbs others needs one", unit.key, "valid_from")
        day_before = unit.valid_from - timedelta(days=1)
        if old.valid_until != day_before:
            problem = f"{key!r} must end on {day_before}, the day before valid_from, not on {old.valid_until}"
            raise ReferenceDataError(path, problem, unit.key, "absorbed")


def _labelled(records: Iterable[Unit | Body | ProvincialBody]) -> list[tuple[str, str, str]]:
    """(key, field, label) for every name and alias of `records`."""
    rows: list[tuple[str, str, str]] = []
    for record in records:
        rows.append((record.key, "name", record.name))
        if isinstance(record, ProvincialBody):
            rows.append((record.key, "city_name", record.city_name))
        rows.extend((record.key, "aliases", alias) for alias in record.aliases)
    return rows


def _check_distinct(
    path: Path, rows: list[tuple[str, str, str]], clash: Callable[[str, str], bool], why: str = ""
) -> None:
    """No value (ignoring case) belongs to two entries for which `clash(key, other_key)` holds."""
    owners: dict[str, list[str]] = {}
    for key, field, value in rows:
        for other in owners.get(value.casefold(), []):
            if other != key and clash(key, other):
                raise ReferenceDataError(path, f"{value!r} is also used by entry {other!r}{why}", key, field)
        owners.setdefault(value.casefold(), []).append(key)


@functools.cache
def _read_bodies(path: Path) -> tuple[tuple[Body, ...], tuple[ProvincialBody, ...]]:
    tables = read_tables(path, ("body", "provincial_body"))
    bodies = tuple(_body(entry) for entry in tables["body"])
    provincial = tuple(_provincial_body(entry) for entry in tables["provincial_body"])
    both: tuple[Body | ProvincialBody, ...] = (*bodies, *provincial)
    _index(path, both)
    _check_distinct(path, _labelled(both), lambda key, other: True)
    return bodies, provincial


def _body(entry: Entry) -> Body:
    entry.check_fields(BODY_FIELDS)
    return Body(
        key=entry.matching("key", KEY_RE, "a lower-case ASCII slug like 'bo-chinh-tri'"),
        name=entry.text("name"),
        en=entry.text("en"),
        aliases=_aliases(entry),
        issuer_code=_issuer_code(entry),
    )


def _provincial_body(entry: Entry) -> ProvincialBody:
    entry.check_fields(PROVINCIAL_BODY_FIELDS)
    return ProvincialBody(
        key=entry.matching("key", KEY_RE, "a lower-case ASCII slug like 'tinh-uy'"),
        name=entry.text("name"),
        city_name=entry.text("city_name"),
        en=entry.text("en"),
        aliases=_aliases(entry),
        issuer_code=_issuer_code(entry),
    )


def _aliases(entry: Entry) -> tuple[str, ...]:
    aliases = entry.texts("aliases")
    for name in (entry.table.get("name"), entry.table.get("city_name")):
        if name in aliases:
            raise entry.error("aliases", f"{name!r} is already a name")
    return aliases


def _issuer_code(entry: Entry) -> str | None:
    if "issuer_code" not in entry.table:
        return None
    return entry.matching("issuer_code", ISSUER_CODE_RE, "a code of letters like 'BTCTW'")
