"""Reading the tables people actually have: CSV in UTF-8 (with or without BOM) or GBK/GB18030,
XLSX, and JSON, each into a DataFrame of text cells with the file's own row numbers."""

from __future__ import annotations

import csv
import gzip
import io
import json
import lzma
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tongchou.errors import InputError, Problem

ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Table:
    """Cells as text ('' where empty), the place to name in errors, and for each row of `cells`
    the row number a person sees in the file (the header is row 1)."""

    cells: pd.DataFrame
    place: str
    rows: pd.Series
    encoding: str | None = None


def read_table(path: Path | str) -> Table:
    path = Path(path)
    place = path.name
    if not path.exists():
        raise InputError(Problem(place, "file not found", value=str(path)))
    if path.is_dir():
        raise InputError(Problem(place, "is a directory, not a file", value=str(path)))
    suffixes = [s.lower() for s in path.suffixes]
    raw = path.read_bytes()
    if suffixes[-1:] in ([".gz"], [".xz"]):
        decompress = gzip.decompress if suffixes[-1] == ".gz" else lzma.decompress
        try:
            raw = decompress(raw)
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise InputError(
                Problem(place, f"not a readable {suffixes[-1]} file ({exc})")
            ) from None
        suffixes = suffixes[:-1]
    if not raw.strip():
        raise InputError(Problem(place, "the file is empty", expected="a header row and data"))
    kind = suffixes[-1] if suffixes else ".csv"
    if kind in (".xlsx", ".xlsm"):
        return _read_xlsx(raw, place)
    if kind == ".json":
        return _read_json(raw, place)
    if kind in (".csv", ".txt", ".tsv"):
        return _read_csv(raw, place)
    raise InputError(
        Problem(
            place,
            "unknown file type",
            value=kind,
            expected=".csv, .tsv, .xlsx or .json (optionally .gz or .xz)",
        )
    )


def _decode(raw: bytes, place: str) -> tuple[str, str]:
    if b"\x00" in raw[:65536]:
        # GB18030 decodes nearly any bytes, so binary and UTF-16 files are caught by their NULs
        raise InputError(
            Problem(
                place,
                "cannot decode the file: it is neither UTF-8 nor "
                "GBK/GB18030 (it holds NUL bytes: UTF-16 or not text at all)",
                expected="text saved as UTF-8 (Excel: Save As > CSV UTF-8)",
            )
        )
    failures = []
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            failures.append(exc)
    first_error = failures[0]
    line = raw[: first_error.start].count(b"\n") + 1
    raise InputError(
        Problem(
            place,
            "cannot decode the file: it is neither UTF-8 nor GBK/GB18030",
            value=raw[first_error.start : first_error.start + 4].hex(" "),
            row=line,
            expected="text saved as UTF-8 (Excel: Save As > CSV UTF-8)",
        )
    )


def _read_csv(raw: bytes, place: str) -> Table:
    text, encoding = _decode(raw, place)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            cells = pd.read_csv(
                io.StringIO(text),
                dtype=str,
                keep_default_na=False,
                sep=delimiter,
                skipinitialspace=True,
                index_col=False,
            )
    except pd.errors.EmptyDataError:
        raise InputError(Problem(place, "the file is empty", expected="a header row")) from None
    except (pd.errors.ParserError, pd.errors.ParserWarning):
        raise _ragged_row(text, delimiter, place) from None
    _check_truncated(text, delimiter, len(cells.columns), place, len(cells) + 1)
    cells.columns = [str(c).strip() for c in cells.columns]
    return Table(cells, place, pd.Series(cells.index + 2, index=cells.index), encoding)


def _ragged_row(text: str, delimiter: str, place: str) -> InputError:
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    width = len(next(rows))
    for number, row in enumerate(rows, start=2):
        if len(row) > width:
            return InputError(
                Problem(
                    place,
                    "not a well-formed table: a row has more cells than the header",
                    value=delimiter.join(row)[:60],
                    row=number,
                    expected=f"{width} cells",
                )
            )
    return InputError(Problem(place, "not a well-formed table (unbalanced quotes?)"))


def _check_truncated(text: str, delimiter: str, width: int, place: str, last_row: int) -> None:
    """A file cut off mid-write ends in a short last line without a newline."""
    if text.endswith(("\n", "\r")):
        return
    last_line = text.splitlines()[-1]
    fields = last_line.split(delimiter)
    if len(fields) < width:
        raise InputError(
            Problem(
                place,
                "the file ends in the middle of a row: it looks truncated",
                value=last_line[-40:],
                row=last_row,
                expected=f"{width} fields; copy the whole file again",
            )
        )


def _read_xlsx(raw: bytes, place: str) -> Table:
    try:
        cells = pd.read_excel(io.BytesIO(raw), dtype=str, keep_default_na=False, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise InputError(Problem(place, f"not a readable XLSX workbook ({exc})")) from None
    cells.columns = [str(c).strip() for c in cells.columns]
    return Table(cells, place, pd.Series(cells.index + 2, index=cells.index))


def _read_json(raw: bytes, place: str) -> Table:
    text, encoding = _decode(raw, place)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            Problem(
                place,
                f"not valid JSON: {exc.msg}",
                row=exc.lineno,
                expected='a list of records, or {"data": [...]}',
            )
        ) from None
    if isinstance(document, dict):
        document = next((v for v in document.values() if isinstance(v, list)), None)
    if not isinstance(document, list) or not all(isinstance(r, dict) for r in document):
        raise InputError(
            Problem(
                place,
                "JSON must hold a list of records",
                expected='[{"region": ..., "date": ..., ...}, ...]',
            )
        )
    if not document:
        raise InputError(Problem(place, "the file has no records"))
    cells = pd.DataFrame.from_records(document).astype(object)
    cells = cells.where(cells.notna(), "").astype(str)
    # JSON has no rows a person sees; number records from 1
    return Table(cells, place, pd.Series(cells.index + 1, index=cells.index), encoding)
