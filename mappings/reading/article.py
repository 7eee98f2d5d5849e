"""Read one article file: bytes → `Article` (the only place that reads article files).

An article is UTF-8 text (a BOM is tolerated; UTF-16 with its BOM is read too), optionally opened by header
lines `date YYYY-MM[-DD]` (ASCII digits), `url http(s)://...`, `title ...` (in any order, each value at most
MAX_HEADER characters, the date may share its line with the title), then the body. Anything else raises
`ArticleFormatError` naming the file. Saved web pages and web archives become the same `Article`
(`pages.py`, `archives.py`, through `make_article`).

Reading removes invisible characters (soft hyphen, zero-width space and joiners, bidi controls ...) and control
characters but newline and tab, from the header and the body, before NFC (`text.strip_invisible`): every offset
the project counts is into the body so cleaned, the text the build publishes its evidence from.

The identifier is the file name without `.txt` as a key (`identifiers.py`: `bài viết.txt` is `bai-viet`; a
byte of a name that is not UTF-8 is written `-XX`); the build makes the keys of one build unique. A file name
in a message is printable text: such a byte, and a control or invisible character, is written `%XX` (`file_text`).
"""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from mappings.reading.files import NotReadable, read_bounded
from mappings.reading.identifiers import path_key
from mappings.reading.text import INVISIBLE, nfc, strip_invisible

MAX_BYTES = 2 * 1024 * 1024
MAX_HEADER = 2000   # characters of one header value (a URL, a title)
MIN_LETTERS = 40
TITLE_LINE = 160    # characters at most of a first line taken whole as the title (when it is one sentence)
SHORT_TITLE = 120   # characters at most of a title made from the first sentence of a paragraph
_SENTENCE_END = re.compile(r"[.!?…][”\")]?(?=\s+[\"“(]?[^\W\d_])")  # a full stop, then a word

_HEADER = re.compile(r"^\s*(?P<key>date|url|title)\s+(?P<value>\S.*?)\s*$")
# ASCII digits only: `\d` also takes Arabic-Indic and full-width ones, which int() reads but ISO dates do not.
_DATE_VALUE = re.compile(r"^(?P<date>[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?)(?:\s+(?P<rest>\S.*))?$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")
_UNSHOWABLE = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{INVISIBLE}]")
_WEB_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
_VIETNAMESE_LETTER = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)


class ArticleFormatError(ValueError):
    """An input file that is not a readable article; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str, line: int | None = None) -> None:
        shown = file_text(str(path))
        where = f"{shown}:{line}" if line else shown
        super().__init__(f"{where}: {reason}")
        self.path, self.reason, self.line = shown, reason, line


@dataclass(frozen=True, slots=True)
class Article:
    identifier: str          # a key: file name without .txt, or from the page's URL (`identifiers.py`)
    text: str               # the body, NFC; every span in the project counts code points in it
    published: str | None   # "YYYY-MM" or "YYYY-MM-DD"
    url: str | None
    title: str              # first non-empty body line
    sha256: str             # of the file's bytes

    @property
    def published_year(self) -> int | None:
        return int(self.published[:4]) if self.published else None


def read_article(path: Path) -> Article:
    """A text article from a regular file of at most MAX_BYTES (a pipe or a device is never opened for reading)."""
    try:
        data = read_bounded(path, MAX_BYTES)
    except NotReadable as err:
        raise ArticleFormatError(path, str(err)) from None
    return parse_article(data, path)


def parse_article(data: bytes, path: Path, identifier: str | None = None) -> Article:
    """Decode, remove the invisible and control characters, split header from body and check that the body looks
    like Vietnamese prose."""
    read = _decode(data, path)
    text = nfc(strip_invisible(read))
    if not text.strip():
        raise ArticleFormatError(path, "the file is empty (only white space and invisible characters)")
    header, body = _split_header(text, path)
    if not body.strip():
        raise ArticleFormatError(path, "the file has header lines but no article body")
    _check_controls(read, path)
    if (url := header.get("url")) is not None and not is_web_url(url):
        raise ArticleFormatError(path, f"url header {url[:60]!r} is not an http(s) URL")
    return make_article(header, body, path, identifier or path_key(path.stem), hashlib.sha256(data).hexdigest())


def make_article(header: dict[str, str], body: str, path: Path | str, identifier: str, sha256: str) -> Article:
    """The `Article` of a body and its header fields (`date`, `url`, `title`: any may be missing), from any kind
    of source: invisible and control characters removed, NFC, values checked (a `url` not http(s) is dropped)."""
    body = nfc(strip_invisible(body))
    fields = {key: " ".join(nfc(strip_invisible(value)).split()) for key, value in header.items() if value}
    for key, value in fields.items():
        if len(value) > MAX_HEADER:
            raise ArticleFormatError(path, f"the {key} has {len(value)} characters, more than the {MAX_HEADER} "
                                           "a header value may have")
    if not body.strip():
        raise ArticleFormatError(path, "no article body")
    _check_prose(body, path)
    title = fields.get("title") or first_line_title(next(line.strip() for line in body.splitlines() if line.strip()))
    url = fields.get("url")
    return Article(identifier=identifier, text=body, published=fields.get("date"),
                   url=url if url and is_web_url(url) else None, title=title, sha256=sha256)


def first_line_title(line: str) -> str:
    """An article's label from its first line: the line when it is a title (one sentence, at most
    TITLE_LINE characters), else its first sentence, cut at a word boundary to at most SHORT_TITLE characters.

    >>> first_line_title("Gặp mặt kỷ niệm 60 năm Ngày truyền thống Bảo vệ chính trị nội bộ Đảng")
    'Gặp mặt kỷ niệm 60 năm Ngày truyền thống Bảo vệ chính trị nội bộ Đảng'
    >>> first_line_title("Ngày 17/8, tại Hà Nội, Ban Bí thư đã tổ chức Hội nghị. Dự hội nghị có các đồng chí ...")
    'Ngày 17/8, tại Hà Nội, Ban Bí thư đã tổ chức Hội nghị.'
    >>> first_line_title("Để việc thực hiện đi vào chiều sâu, tạo chuyển biến sâu sắc và đạt hiệu quả thiết thực, năm 2023, "
    ...                  "Ban Thường vụ Tỉnh ủy đã ban hành Chỉ thị số 26-CT/TU ngày 2-6-2023 về “Chấn chỉnh tác phong”.")
    'Để việc thực hiện đi vào chiều sâu, tạo chuyển biến sâu sắc và đạt hiệu quả thiết thực, năm 2023, Ban Thường vụ Tỉnh ủy…'
    """
    end = _SENTENCE_END.search(line)
    if end is None and len(line) <= TITLE_LINE:
        return line
    sentence = line[:end.end()].strip() if end else line
    if len(sentence) <= SHORT_TITLE:
        return sentence
    cut = sentence.rfind(" ", 0, SHORT_TITLE)
    return sentence[:cut if cut > 0 else SHORT_TITLE - 1].rstrip(" ,;:-–") + "…"


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL with a host, nothing else (`javascript:`, `file:`, `data:` are not sources).

    >>> is_web_url("https://baothanhhoa.vn/a.htm"), is_web_url("javascript:alert(1)"), is_web_url("file:///etc")
    (True, False, False)
    """
    return bool(_WEB_URL.match(url))


def file_text(name: str) -> str:
    """A file name (or path) as text any file or stream can hold: each byte the file system could not decode
    as UTF-8, and each control or invisible character, written as `%XX` (its bytes).

    >>> file_text("bai_viet" + bytes([0xff]).decode("utf-8", "surrogateescape"))
    'bai_viet%FF'
    >>> file_text("bài\u200bviết")
    'bài%E2%80%8Bviết'
    """
    return _UNSHOWABLE.sub(_percent, name) if _UNSHOWABLE.search(name) else name


def _percent(match: re.Match[str]) -> str:
    try:
        data = match.group().encode("utf-8", "surrogateescape")   # a byte the file system could not decode
    except UnicodeEncodeError:
        data = match.group().encode("utf-8", "surrogatepass")
    return "".join(f"%{byte:02X}" for byte in data)


def _decode(data: bytes, path: Path) -> str:
    if not data:
        raise ArticleFormatError(path, "the file is empty")
    if len(data) > MAX_BYTES:
        raise ArticleFormatError(path, f"the file has {len(data)} bytes, more than the {MAX_BYTES} an article may have")
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    if encoding == "utf-8-sig" and b"\x00" in data:
        if _looks_utf16(data):
            raise ArticleFormatError(path, "the file is UTF-16 without a byte-order mark: save it as UTF-8")
        raise ArticleFormatError(path, "the file is binary (it contains NUL bytes), not a text article")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        named = "UTF-16" if encoding == "utf-16" else "UTF-8"
        raise ArticleFormatError(path, f"not {named}: invalid byte 0x{data[err.start]:02x} at offset {err.start}",
                                 line) from None
    if not text.strip():
        raise ArticleFormatError(path, "the file is empty (only white space)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_utf16(data: bytes) -> bool:
    """Text in UTF-16 without its BOM: one byte of each pair is NUL nearly always (ASCII and Latin letters)."""
    sample = data[:4096]
    return len(sample) >= 64 and max(sample[0::2].count(0), sample[1::2].count(0)) > 0.3 * len(sample) // 2


def _split_header(text: str, path: Path) -> tuple[dict[str, str], str]:
    """Header lines come first; a `date` line may carry the title after the date."""
    header: dict[str, str] = {}
    lines = text.split("\n")
    offset = 0
    for number, line in enumerate(lines, start=1):
        match = _HEADER.match(line)
        if not match or match["key"] in header:
            if line.strip() == "" and header:
                offset += len(line) + 1
                continue
            break
        key, value = match["key"], match["value"]
        if key == "date":
            _check_date(value, path, number)
        if key == "date" and (dated := _DATE_VALUE.match(value)) and dated["rest"]:
            header["date"] = dated["date"]
            return header, dated["rest"] + "\n" + "\n".join(lines[number:])
        header[key] = value
        offset += len(line) + 1
    return header, text[offset:]


def _check_date(value: str, path: Path, line: int) -> None:
    """`date YYYY-MM[-DD]`, a real calendar date (a title may follow on the same line)."""
    dated = _DATE_VALUE.match(value)
    try:
        if not dated:
            raise ValueError
        parts = [int(p) for p in dated["date"].split("-")]
        dt.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    except ValueError:
        shown = dated["date"] if dated else value
        raise ArticleFormatError(path, f"date header {shown!r} is not a real date YYYY-MM or YYYY-MM-DD", line) from None


def _check_prose(body: str, path: Path | str) -> None:
    if body.lstrip().startswith(("{", "[")) and _is_json(body):
        raise ArticleFormatError(path, "the file is a JSON document, not an article")
    # Both counts stop early or run in C on a real article: a loop over its 13,000 characters took a millisecond.
    letters = sum(1 for _ in islice(filter(str.isalpha, body), MIN_LETTERS))
    if letters < MIN_LETTERS:
        raise ArticleFormatError(path, f"the body has only {letters} letters: too short to be an article")
    if not _VIETNAMESE_LETTER.search(body):
        raise ArticleFormatError(path, "the body has no Vietnamese letters: not a Vietnamese article")


def _check_controls(text: str, path: Path) -> None:
    """More than 2 % control (or private-use) characters, as read: not text, though reading would remove them."""
    if _CONTROL.search(text) and len(_CONTROL.findall(text)) > 0.02 * len(text):
        raise ArticleFormatError(path, "the body is mostly control characters: not a text article")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
