"""Lists as HTML, JSON or CSV: `?format=` > `Accept` (`server.http.negotiation`), and CSV that is safe to open
in a spreadsheet. Labels come from news text: a cell that a spreadsheet would run as a formula is quoted.

>>> csv_text(["label"], [["=1+1"], ["Thanh Hóa"]]).splitlines()
['label', "'=1+1", 'Thanh Hóa']
"""

import csv
from collections.abc import Iterable, Mapping, Sequence
from io import StringIO
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.responses import Response

from server.http import negotiation
from server.pages.rendering import Alternate

JSON = negotiation.Representation("json", "application/json", "JSON")
CSV = negotiation.Representation("csv", "text/csv", "CSV")
TABLE = (negotiation.HTML, JSON, CSV)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP "CSV injection"


def choose(request: Request, format_key: str | None, offers: Sequence[negotiation.Representation] = TABLE) -> (
    negotiation.Representation
):
    return negotiation.choose(offers, request.headers.get("accept"), format_key)


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def respond(chosen: negotiation.Representation, data: Any, header: Sequence[str], rows: Iterable[Sequence[str]],
            format_key: str | None) -> Response:
    """The JSON or CSV form of a list (the HTML form is the route's page)."""
    if chosen is JSON:
        response: Response = JSONResponse(data)
    else:
        response = Response(csv_text(header, rows), media_type="text/csv; charset=utf-8")
    return negotiated(response, format_key)


def alternates(path: str, params: Mapping[str, str | None]) -> list[Alternate]:
    """Links to the JSON and CSV forms of the list at `path` with `params`."""
    kept = {key: value for key, value in params.items() if value is not None}
    return [Alternate(r.name, r.media_type, f"{path}?{urlencode({**kept, 'format': r.suffix})}") for r in (JSON, CSV)]


def negotiated(response: Response, format_key: str | None) -> Response:
    """Says the answer depended on `Accept` when no `?format=` fixed it."""
    if not format_key:
        vary = response.headers.get("Vary")
        response.headers["Vary"] = f"{vary}, Accept" if vary else "Accept"
    return response
