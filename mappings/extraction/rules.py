"""Load and check `mappings/extraction/rules/*.toml` into typed tables.

Errors name the file, the entry and the field (`RuleFileError`). `rules_version()` changes whenever
a rule file or an extraction module changes: the build cache is keyed by it.
"""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ontology import DIR as ONTOLOGY_DIR

RULES_DIR = Path(__file__).parent / "rules"
GAZETTEER_DIR = ONTOLOGY_DIR / "reference"
# What the extraction cache holds depends on, under `mappings/`: this stage, reading, the resolution.
_CODE_FILES = ("extraction", "reading", "linking/resolve.py")


class RuleFileError(ValueError):
    def __init__(self, path: Path, entry: str, field: str, reason: str) -> None:
        super().__init__(f"{path.name}: entry {entry!r}, field {field!r}: {reason}")


@dataclass(frozen=True, slots=True)
class DocumentType:
    id: str
    words: tuple[str, ...]
    short: tuple[str, ...]
    abbr: tuple[str, ...]
    slug: str
    default_for: tuple[str, ...]
    examples: tuple[str, ...]
    abbr_by_word: tuple[tuple[str, str], ...] = ()   # when the words of one type write different abbreviations

    def abbr_for(self, word: str) -> str | None:
        """The abbreviation a symbol of this type takes when the text names it by `word` (case-insensitive)."""
        return next((a for w, a in self.abbr_by_word if w.casefold() == word.casefold()), self.abbr[0] if self.abbr else None)


def _load(name: str) -> tuple[Path, dict[str, Any]]:
    path = RULES_DIR / f"{name}.toml"
    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise RuleFileError(path, "-", "-", f"not valid TOML: {err}") from None


def _strings(path: Path, entry: str, data: dict[str, Any], field: str, required: bool = True) -> tuple[str, ...]:
    value = data.get(field, None if required else [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RuleFileError(path, entry, field, "must be a list of non-empty strings")
    return tuple(value)


@cache
def document_types() -> tuple[DocumentType, ...]:
    path, data = _load("document_types")
    types = []
    for entry in data.get("type", []):
        ident = entry.get("id")
        if not isinstance(ident, str):
            raise RuleFileError(path, "?", "id", "every [[type]] needs a string id")
        if not isinstance(entry.get("slug"), str):
            raise RuleFileError(path, ident, "slug", "must be a string")
        types.append(DocumentType(
            id=ident, slug=entry["slug"], words=_strings(path, ident, entry, "words"),
            short=_strings(path, ident, entry, "short", False), abbr=_strings(path, ident, entry, "abbr", False),
            default_for=_strings(path, ident, entry, "default_for", False),
            examples=_strings(path, ident, entry, "examples"), abbr_by_word=_abbr_by_word(path, ident, entry)))
    return tuple(types)


def _abbr_by_word(path: Path, entry: str, data: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    table = data.get("abbr_by_word", {})
    if not isinstance(table, dict):
        raise RuleFileError(path, entry, "abbr_by_word", "must be a table of type word = abbreviation")
    for word, abbr in table.items():
        if word not in data.get("words", []) or abbr not in data.get("abbr", []):
            raise RuleFileError(path, entry, "abbr_by_word", f"{word!r} = {abbr!r}: the word must be one of `words`, "
                                "the abbreviation one of `abbr`")
    return tuple(table.items())


@cache
def word_lists(name: str) -> dict[str, tuple[str, ...]]:
    """A rule file whose every top-level key is a list of strings (officials, meetings, links, text)."""
    path, data = _load(name)
    return {key: _strings(path, key, data, key) for key in data}


@cache
def rules_version() -> str:
    """Hash of every rule file, the gazetteer and the extraction modules: a change re-extracts every article."""
    digest = hashlib.sha256()
    root = Path(__file__).parents[1]
    files = sorted(RULES_DIR.glob("*.toml")) + sorted(GAZETTEER_DIR.glob("*.toml")) + sorted(
        p for name in _CODE_FILES for p in ([root / name] if (root / name).is_file() else (root / name).glob("*.py")))
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
