"""read_article: bytes on disk → Article, or an ArticleFormatError that names the file (and line).

Every test writes its own file under tmp_path and reads it back with the real reader.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mappings.reading.article import MAX_BYTES, Article, ArticleFormatError, parse_article, read_article

BODY = (
    "Sáng 27/5, Tỉnh ủy Thanh Hóa tổ chức hội nghị tổng kết 10 năm thực hiện Chỉ thị 39-CT/TW, "
    "ngày 18/8/2014 của Bộ Chính trị “về tăng cường công tác bảo vệ chính trị nội bộ trong tình hình hiện nay”.\n"
    "\n"
    "Dự hội nghị có các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy; lãnh đạo các ban, sở, ngành, đoàn thể cấp tỉnh.\n"
)
TITLE = "Tổng kết 10 năm thực hiện Chỉ thị 39 của Bộ Chính trị"
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # the combining tones Windows-1258 encodes separately


def write(tmp_path: Path, data: bytes | str, name: str = "bai_viet.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def windows_1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 stores it: base letters precomposed, tone marks as combining bytes."""
    out = b""
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
        out += (base + "".join(c for c in parts if c in _TONE_MARKS)).encode("cp1258")
    return out


def rejected(path: Path) -> ArticleFormatError:
    with pytest.raises(ArticleFormatError) as caught:
        read_article(path)
    error = caught.value
    assert str(path) in str(error), f"the message does not name the file: {error}"
    assert error.path == str(path)
    assert error.reason and error.reason in str(error)
    return error


# --- articles that read ----------------------------------------------------------------------------

def test_plain_body_is_the_whole_file(tmp_path: Path) -> None:
    text = TITLE + "\n\n" + BODY
    path = write(tmp_path, text, "000_plain.txt")
    article = read_article(path)
    assert isinstance(article, Article)
    assert article.text == text
    assert article.title == TITLE  # the first non-empty line
    assert article.identifier == "000_plain"
    assert article.published is None and article.published_year is None and article.url is None
    assert article.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_plain_body_title_is_the_first_non_empty_line(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "\n\n   \n" + TITLE + "\n" + BODY))
    assert article.title == TITLE


HEADERS = {"url": "url https://baothanhhoa.vn/tong-ket-chi-thi-39.htm",
           "date": "date 2024-05-27",
           "title": "title " + TITLE}


@pytest.mark.parametrize("order", list(itertools.permutations(HEADERS)), ids="-".join)
def test_header_lines_in_any_order_then_a_blank_line(tmp_path: Path, order: tuple[str, ...]) -> None:
    text = "\n".join(HEADERS[key] for key in order) + "\n\n" + BODY
    article = read_article(write(tmp_path, text))
    assert article.url == "https://baothanhhoa.vn/tong-ket-chi-thi-39.htm"
    assert article.published == "2024-05-27"
    assert article.published_year == 2024
    assert article.title == TITLE
    assert article.text == BODY  # headers and the blank line are not part of the body


@pytest.mark.parametrize("date", ["2024-05", "2024-05-27"])
def test_date_header_month_or_day(tmp_path: Path, date: str) -> None:
    article = read_article(write(tmp_path, f"date {date}\n\n{BODY}"))
    assert article.published == date
    assert article.published_year == 2024
    assert article.text == BODY
    first = BODY.splitlines()[0]  # a paragraph, not a title line: its first sentence, cut at a word
    assert len(article.title) <= 120 and article.title.endswith("…")
    assert first.startswith(article.title[:-1]) and first[len(article.title) - 1] == " "


@pytest.mark.parametrize(
    ("first_line", "title"),
    [
        ("Kiểm tra công tác bảo vệ chính trị nội bộ tại Ban Thường vụ Tỉnh ủy Bình Thuận",
         "Kiểm tra công tác bảo vệ chính trị nội bộ tại Ban Thường vụ Tỉnh ủy Bình Thuận"),  # a title line
        ("Chiều 10-8, Tỉnh ủy tổ chức hội nghị. Đồng chí Bí thư chủ trì.", "Chiều 10-8, Tỉnh ủy tổ chức hội nghị."),
        ("Hội nghị đã nghe báo cáo " + "về một số kết quả " * 20 + "năm 2019.",
         "Hội nghị đã nghe báo cáo" + " về một số kết quả" * 5 + " về…"),
    ],
)
def test_an_article_without_a_title_line_is_labelled_with_its_first_sentence_cut_short(
    tmp_path: Path, first_line: str, title: str
) -> None:
    article = read_article(write(tmp_path, f"{first_line}\n\n{BODY}"))
    assert article.title == title and len(article.title) <= 120


def test_only_some_header_lines(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, f"url https://example.vn/a\n\n{BODY}"))
    assert (article.url, article.published, article.text) == ("https://example.vn/a", None, BODY)


def test_date_on_the_title_line(tmp_path: Path) -> None:
    """The seeds' form: ` date 2024-05 Tổng kết ...` — the date, then the title, on one line."""
    text = f" date 2024-05 {TITLE}\n\n{BODY}"
    article = read_article(write(tmp_path, text))
    assert article.published == "2024-05"
    assert article.title == TITLE
    assert article.text == f"{TITLE}\n\n{BODY}"  # the title stays the body's first line
    assert article.text.startswith(TITLE)


def test_date_on_the_title_line_after_a_url_header(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, f"url https://example.vn/a\ndate 2024-05-27 {TITLE}\n{BODY}"))
    assert (article.url, article.published, article.title) == ("https://example.vn/a", "2024-05-27", TITLE)
    assert article.text == f"{TITLE}\n{BODY}"


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, b"\xef\xbb\xbf" + f"date 2024-05\n\n{BODY}".encode()))
    assert article.published == "2024-05"  # the BOM does not hide the header
    assert article.text == BODY
    assert "\ufeff" not in article.text and "\ufeff" not in article.title


def test_crlf_line_ends_become_lf(tmp_path: Path) -> None:
    text = f"url https://example.vn/a\ndate 2024-05-27\n\n{TITLE}\n\n{BODY}"
    article = read_article(write(tmp_path, text.replace("\n", "\r\n").encode()))
    assert "\r" not in article.text
    assert article.text == f"{TITLE}\n\n{BODY}"
    assert (article.url, article.published, article.title) == ("https://example.vn/a", "2024-05-27", TITLE)


def test_nfd_input_comes_out_nfc(tmp_path: Path) -> None:
    text = f"title {TITLE}\n\n{BODY}"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    article = read_article(write(tmp_path, nfd))
    assert article.text == unicodedata.normalize("NFC", BODY) == BODY
    assert article.title == TITLE
    assert unicodedata.is_normalized("NFC", article.text)



# --- invisible and control characters: removed when reading, so names and symbols read as they show -----

ZWSP, ZWJ, SHY, WJ, LRE, PDF, RLM = "\u200b", "\u200d", "\u00ad", "\u2060", "\u202a", "\u202c", "\u200f"


def test_invisible_characters_inside_a_symbol_and_a_name_are_removed(tmp_path: Path) -> None:
    body = (f"Sáng 3/6, Ban Thường vụ Tỉnh ủy Quảng Ngãi quán triệt Chỉ thị số 3{ZWSP}9-CT/TW của Bộ Chính trị. "
            f"Đồng chí Phạm Thị Thu{SHY} Hà, Phó Bí thư Tỉnh ủy, chủ trì; đồng chí Lê{ZWJ} Văn {LRE}Bình{PDF}{RLM} phát biểu.\n")
    article = read_article(write(tmp_path, f"date 2024-06-03\ntitle Quảng Ngãi{WJ} học tập Chỉ thị 3{ZWSP}9\n\n{body}"))
    assert "Chỉ thị số 39-CT/TW" in article.text
    assert "Phạm Thị Thu Hà" in article.text and "Lê Văn Bình phát biểu" in article.text
    assert article.title == "Quảng Ngãi học tập Chỉ thị 39"
    assert not set(ZWSP + ZWJ + SHY + WJ + LRE + PDF + RLM) & set(article.text + article.title)


def test_evidence_offsets_point_into_the_cleaned_body(tmp_path: Path) -> None:
    from mappings.extraction.mentions import extract

    body = f"Các chi bộ học tập Chỉ thị số 0{SHY}5-CT/TW ngày 15/5/2016 của Bộ{ZWSP} Chính trị về học tập và làm theo.\n"
    article = read_article(write(tmp_path, f"date 2024-06-03\n\nCác chi bộ học tập chỉ thị\n\n{body}"))
    (citation,) = [c for c in extract(article).citations if c.symbol]
    assert citation.symbol == "05-CT/TW"
    assert "05-CT/TW" in article.text[citation.start:citation.end]


def test_header_values_lose_invisible_characters(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, f"{ZWSP}url https://baoquangngai.vn/{SHY}bai-1.htm\n"
                                           f"date 2024-06-03{RLM}\n\n{BODY}"))
    assert (article.url, article.published) == ("https://baoquangngai.vn/bai-1.htm", "2024-06-03")


def test_controls_that_separate_words_become_spaces_and_the_others_go(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, BODY.replace("Tỉnh ủy Thanh Hóa", "Tỉnh ủy\x0bThanh\x85Hóa\x07\x1b")))
    assert "Tỉnh ủy Thanh Hóa tổ chức" in article.text
    assert article.text.replace("\n", "").isprintable()


def test_an_article_full_of_soft_hyphens_is_still_an_article(tmp_path: Path) -> None:
    """Some sites put a soft hyphen in every long word: over 2 % of the text, yet no control character."""
    hyphenated = " ".join(f"{word[:2]}{SHY}{word[2:]}" if len(word) > 3 else word for word in BODY.split(" "))
    assert hyphenated.count(SHY) > 0.02 * len(hyphenated)
    assert read_article(write(tmp_path, hyphenated)).text == BODY


def test_a_file_of_only_invisible_characters_is_empty(tmp_path: Path) -> None:
    assert "empty" in rejected(write(tmp_path, f"{ZWSP}{SHY}\n{ZWJ}\ufeff\n")).reason


def test_the_invisible_characters_are_unicodes_format_characters() -> None:
    """text.INVISIBLE is written out (computing it costs each process 60 ms): every Cf character of this Python's
    Unicode, and nothing else but characters a later Unicode made Cf."""
    import re
    import sys

    from mappings.reading.text import INVISIBLE

    pattern = re.compile(f"[{INVISIBLE}]")
    covered = {code for code in range(sys.maxunicode + 1) if pattern.match(chr(code))}
    format_characters = {code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"}
    assert format_characters <= covered
    assert all(unicodedata.category(chr(code)) == "Cn" for code in covered - format_characters)

# --- files that are not articles: each error names the file (and the line where there is one) -------

def test_windows_1258_is_not_utf8_and_the_line_is_named(tmp_path: Path) -> None:
    data = b"date 2024-05\n\n" + windows_1258(TITLE + "\n" + BODY)
    path = write(tmp_path, data)
    error = rejected(path)
    assert "UTF-8" in error.reason
    assert error.line == 3
    assert f"{path}:3:" in str(error)


def test_latin1_is_not_utf8(tmp_path: Path) -> None:
    data = b"Hoi nghi tong ket\nthuc hien Chi thi 39\n" + "Sáng 27/5, hội nghị tổng kết".encode("latin-1", "replace")
    path = write(tmp_path, data)
    error = rejected(path)
    assert "UTF-8" in error.reason and "0xe1" in error.reason  # á in latin-1
    assert error.line == 3
    assert f"{path}:3:" in str(error)


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  \n"], ids=["empty", "whitespace"])
def test_empty_or_whitespace_only(tmp_path: Path, data: bytes) -> None:
    assert "empty" in rejected(write(tmp_path, data)).reason


def test_unicode_whitespace_only_is_reported_as_empty(tmp_path: Path) -> None:
    error = rejected(write(tmp_path, "\u00a0\u3000\n \u00a0\n"))
    assert "header" not in error.reason


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00",
    BODY.encode()[:80] + b"\x00\x00\x00" + BODY.encode()[80:],
], ids=["png", "nul-in-text"])
def test_binary_file(tmp_path: Path, data: bytes) -> None:
    assert "binary" in rejected(write(tmp_path, data)).reason


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_its_bom_is_read_and_without_it_named_as_utf16(tmp_path: Path, encoding: str) -> None:
    text = "date 2024-05-27\n\n" + TITLE + "\n" + BODY
    if encoding == "utf-16":  # Python writes the BOM
        article = read_article(write(tmp_path, text.encode(encoding)))
        assert article.text == TITLE + "\n" + BODY and article.published == "2024-05-27"
    else:
        error = rejected(write(tmp_path, text.encode(encoding)))
        assert "UTF-16" in error.reason and "binary" not in error.reason


@pytest.mark.parametrize(("header", "said"), [
    ("url javascript:alert(1)", "not an http(s) URL"),
    ("url file:///etc/passwd", "not an http(s) URL"),
    ("url data:text/html,<b>x</b>", "not an http(s) URL"),
    ("title " + "Hội nghị " * 400, "more than the 2000"),
    ("url https://example.vn/" + "a" * 3000, "more than the 2000"),
])
def test_header_values_are_bounded_and_urls_are_web_urls(tmp_path: Path, header: str, said: str) -> None:
    assert said in rejected(write(tmp_path, f"{header}\ndate 2024-05-27\n\n{BODY}")).reason


def test_control_characters_never_reach_the_title(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, f"title Hội nghị\x1b[31m tổng kết\x07\ndate 2024-05-27\n\n{BODY}"))
    assert article.title == "Hội nghị[31m tổng kết" and article.title.isprintable()


def test_control_characters_are_not_text(tmp_path: Path) -> None:
    assert "control" in rejected(write(tmp_path, BODY + "\x01\x02\x03\x1b" * 40)).reason


def test_ten_megabyte_file(tmp_path: Path) -> None:
    data = (BODY * (10 * 1024 * 1024 // len(BODY.encode()) + 1)).encode()
    assert len(data) > 10 * 1024 * 1024 > MAX_BYTES
    error = rejected(write(tmp_path, data))
    assert str(len(data)) in error.reason


def test_header_only_file(tmp_path: Path) -> None:
    error = rejected(write(tmp_path, "url https://example.vn/a\ndate 2024-05-27\n\n"))
    assert "no article body" in error.reason


def test_header_only_file_with_a_title(tmp_path: Path) -> None:
    assert "no article body" in rejected(write(tmp_path, f"date 2024-05\ntitle {TITLE}\n")).reason


def test_csv_table_of_numbers(tmp_path: Path) -> None:
    data = "id,value,total\n" + "".join(f"{i},{i * 3},{i * 7}.5\n" for i in range(500))
    assert "too short" in rejected(write(tmp_path, data, "table.txt")).reason


def test_json_document(tmp_path: Path) -> None:
    data = json.dumps({"id": 12, "values": [1.5, 2.25, 3], "name": "quarterly report", "ok": True,
                       "rows": [{"province": "Thanh Hoa", "count": i} for i in range(20)]}, indent=2)
    assert "JSON" in rejected(write(tmp_path, data, "data.txt")).reason


def test_json_document_with_vietnamese_values(tmp_path: Path) -> None:
    data = json.dumps({"tieu_de": TITLE, "noi_dung": BODY, "ngay": "2024-05-27"}, ensure_ascii=False, indent=2)
    assert "JSON" in rejected(write(tmp_path, data, "export.txt")).reason


def test_english_prose(tmp_path: Path) -> None:
    data = ("The Politburo issued a directive on strengthening the protection of internal politics. "
            "Provincial committees reported on ten years of implementation.\n") * 5
    assert "no Vietnamese letters" in rejected(write(tmp_path, data, "english.txt")).reason


@pytest.mark.parametrize("value", ["2024-5", "2024/05", "May 2024", "24-05-27", "2024-05-27T08:00"])
def test_malformed_date_header(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, f"date {value}\n\n{BODY}")
    error = rejected(path)
    assert "YYYY-MM" in error.reason and value in error.reason
    assert f"{path}:1:" in str(error)


def test_malformed_date_header_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, f"url https://example.vn/a\ndate 2024-5\n\n{BODY}")
    error = rejected(path)
    assert error.line == 2 and f"{path}:2:" in str(error)


@pytest.mark.parametrize("value", ["2024-13", "2024-00", "2024-02-30", "2023-04-31", "2024-05-00"])
def test_impossible_date_header_is_rejected(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, f"date {value}\n\n{BODY}")
    error = rejected(path)
    assert value in error.reason



@pytest.mark.parametrize("value", ["٢٠٢٤-٠٥-٢٧", "２０２４-０５-２７", "2024-٠٥", "২০২৪-05-27"],
                         ids=["arabic-indic", "full-width", "mixed", "bengali"])
def test_date_header_takes_ascii_digits_only(tmp_path: Path, value: str) -> None:
    """`\\d` and int() take any script's digits; an ISO date does not (such a header once crashed a worker)."""
    path = write(tmp_path, f"date {value}\n\n{BODY}")
    error = rejected(path)
    assert "YYYY-MM" in error.reason and value in error.reason and f"{path}:1:" in str(error)


# --- file names ------------------------------------------------------------------------------------

def test_a_file_name_that_is_not_utf8_gives_an_identifier_with_its_bytes_escaped(tmp_path: Path) -> None:
    name = b"bai_h\xf4i_ngh\xec.txt"  # "bai_hôi_nghì" in Windows-1258: not UTF-8
    path = tmp_path / name.decode("utf-8", "surrogateescape")
    path.write_bytes(f"date 2024-05-27\n\n{BODY}".encode())
    article = read_article(path)
    assert article.identifier == "bai_h-f4-i_ngh-ec"  # each undecodable byte in hex
    article.identifier.encode("utf-8")  # writable anywhere: no lone surrogates
    assert article.text == BODY


def test_a_file_name_with_invisible_or_control_characters_gives_a_printable_identifier(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, f"date 2024-05-27\n\n{BODY}", "bài\u200bviết\x1b.txt"))
    assert article.identifier == "baiviet" and article.identifier.isprintable()


def test_an_unreadable_file_with_an_undecodable_name_is_named_printably(tmp_path: Path) -> None:
    path = tmp_path / ("rong" + b"\xfe".decode("utf-8", "surrogateescape") + ".txt")
    path.write_bytes(b"")
    with pytest.raises(ArticleFormatError) as caught:
        read_article(path)
    assert caught.value.path == f"{tmp_path}/rong%FE.txt" and "empty" in str(caught.value)
    str(caught.value).encode("utf-8")

# --- property: any bytes give an Article or an ArticleFormatError, nothing else ---------------------

_header = st.sampled_from(["date 2024-05\n", "date 2024-05-27 ", " date 2024-13 ", "url http://x\n",
                           "title Tiêu đề\n", "date \n", "title\n", "\n", "\ufeff", "\r\n"])
_vietnamese = st.text(alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậềếểễệ"
                                                    "ìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ \n\r\t\x00\x85\u2028"
                                                    "\u00a0\u0301\u0323ÀẠĐ0123456789-/“”.,")), max_size=400)
_documents = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=400).map(lambda s: s.encode("utf-8")),
    st.tuples(st.lists(_header, max_size=4), _vietnamese).map(lambda p: ("".join(p[0]) + p[1]).encode("utf-8")),
    st.tuples(st.binary(max_size=8), _vietnamese, st.binary(max_size=8)).map(
        lambda p: p[0] + p[1].encode("utf-8") + p[2]),
    _vietnamese.map(lambda s: unicodedata.normalize("NFD", s).encode("utf-8")),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_documents)
def test_any_bytes_give_an_article_or_an_article_format_error(data: bytes) -> None:
    path = Path("/nowhere/prop.txt")
    try:
        article = parse_article(data, path)
    except ArticleFormatError as error:
        assert str(path) in str(error)
        return
    assert isinstance(article, Article)
    assert article.text.strip() and unicodedata.is_normalized("NFC", article.text)
    assert "\r" not in article.text


def test_property_also_holds_through_the_file(tmp_path: Path) -> None:
    """read_article is parse_article on the file's bytes: same result for the same bytes."""
    data = f"date 2024-05-27\n\n{BODY}".encode()
    path = write(tmp_path, data)
    assert read_article(path) == parse_article(data, path)
