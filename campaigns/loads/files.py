"""The file contract between the data warehouse and the portal (see docs/loads.md).

Files arrive in the inbox (setting ``CVM_INBOX``), named for what they hold::

    customers__20261123.csv            the customer snapshot
    target_group__RET-5G-Q4__20261123.csv.gz   members of campaign RET-5G-Q4's target group
    conversions__20261123.csv          product activations (confirmed conversions)
    contacts__20261123.csv             service contacts (the channel optimisation report)

CSV (UTF-8, comma-separated, a header line; plain or gzip) and Parquet are read. A file
is read only once its completion marker ``<file name>.ok`` exists; the marker may hold
``sha256=<hex>``, which is then checked.

Only regular files are read: a symbolic link (or a directory, a FIFO, a device) in the inbox
is never followed or opened (``open_raw``), so nothing outside the inbox is ever read, and no
error message can show a line of such a file.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import logging
import os
import re
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings

from campaigns.choices import LoadKind
from campaigns.loads.messages import Problem

log = logging.getLogger("cvm.loads")
NAME_RE = re.compile(
    r"^(?P<kind>customers|target_group|conversions|contacts)(?:__(?P<target>[A-Z0-9][A-Z0-9_-]{1,39}))?__(?P<date>\d{8})"
    r"\.(?P<format>csv|csv\.gz|parquet)$"
)
MARKER_SUFFIX = ".ok"
CHUNK = 1 << 20

# Columns of each kind: (name, required). Unknown columns of a target-group file are kept
# as the member's extra attributes; unknown columns of a customer snapshot are refused.
TARGET_GROUP_COLUMNS = [
    ("customer_id", True),
    ("offer_code", False),
    ("propensity", False),
    ("expected_value", False),
    ("rank", False),
    ("reason", False),  # the sentence shown under "Why" (rules.clean_reason)
]
CUSTOMER_COLUMNS = [
    ("customer_id", True),
    ("phone", True),
    ("name", True),
    ("segment", True),
    ("value_tier", True),
    ("customer_since", True),
    ("preferred_channel", False),
    ("consent_marketing", True),
    ("consent_calls", True),
    ("consent_sms", True),
    ("consent_app_push", True),
    ("consent_digital", True),
    ("do_not_contact", True),
    ("products", False),
    ("consent_changed_at", False),  # when the warehouse last changed the consents (preferences)
]
# Product activations; unknown columns are refused (campaigns.loads.conversions).
CONVERSION_COLUMNS = [
    ("customer_id", True),
    ("product_code", True),
    ("activated_on", True),
    ("value", False),
    ("order_ref", False),
]
# Service contacts; unknown columns are refused (campaigns.loads.service_contacts).
CONTACT_COLUMNS = [
    ("customer_id", True),
    ("channel", True),
    ("reason", True),
    ("contacted_on", True),
    ("resolved_first_contact", True),
    ("self_service", True),
]
MAX_EXTRA_COLUMNS = 10  # each is a column of the member table (attribute_1 …)
# Names the loader uses itself; an extra column may not take them.
RESERVED_COLUMNS = {
    "line",
    "cid",
    "customer_pk",
    "offer_pk",
    "problem",
    "version_id",
    "is_control",
    "attributes",
}


class FileRejected(Problem):
    """The whole file cannot be loaded; the message (campaigns/loads/messages.py, a code with
    parameters) says why and what to do."""


def nul_character(line: int | str) -> FileRejected:
    """A NUL (zero) byte in the data: refused as a whole file on both paths (PostgreSQL text
    cannot hold one, so it would load on one database and fail on the other)."""
    return FileRejected("nul_character", line=line)


def _gzip_damaged() -> FileRejected:
    return FileRejected("gzip_damaged")


def _not_a_regular_file(path: Path) -> FileRejected:
    return FileRejected("not_regular_file", name=path.name)


def is_regular_file(path: Path) -> bool:
    """A regular file, not a symbolic link (``lstat``: a link is never followed)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# O_NONBLOCK: opening a FIFO planted in the inbox must not wait for a writer; fstat refuses it.
_OPEN_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def open_raw(path: Path):
    """The file's bytes as stored, opened only if it is a regular file, never through a
    symbolic link (O_NOFOLLOW; checked on the open file, so it cannot be swapped between a
    check and the open). Anything else is a FileRejected that names the file and nothing more."""
    if not _NOFOLLOW and os.path.islink(path):  # systems without O_NOFOLLOW
        raise _not_a_regular_file(path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):  # what O_NOFOLLOW answers for a link
            raise _not_a_regular_file(path) from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _not_a_regular_file(path)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


@dataclass(frozen=True)
class InboxFile:
    path: Path
    kind: str
    target: str  # campaign code, or "customers" / "conversions"
    file_date: date
    format: str  # "csv", "csv.gz" or "parquet"

    @property
    def marker(self) -> Path:
        return self.path.with_name(self.path.name + MARKER_SUFFIX)

    @property
    def is_ready(self) -> bool:
        return is_regular_file(self.marker)


def inbox_dir() -> Path:
    return Path(settings.CVM_INBOX)


def parse_name(path: Path) -> InboxFile:
    """Read kind, target and date from a file name; raise FileRejected if it does not follow the contract."""
    match = NAME_RE.match(path.name)
    if not match:
        raise FileRejected("bad_name", name=path.name)
    kind = match["kind"]
    if kind == LoadKind.TARGET_GROUP and not match["target"]:
        raise FileRejected("no_campaign_code", name=path.name)
    if kind == LoadKind.CUSTOMERS and match["target"]:
        raise FileRejected("customers_name_has_campaign", name=path.name)
    if kind == LoadKind.CONVERSIONS and match["target"]:
        raise FileRejected("conversions_name_has_campaign", name=path.name)
    if kind == LoadKind.SERVICE_CONTACTS and match["target"]:
        raise FileRejected("contacts_name_has_campaign", name=path.name)
    try:
        file_date = datetime.strptime(match["date"], "%Y%m%d").date()
    except ValueError as exc:
        raise FileRejected("impossible_date", name=path.name) from exc
    return InboxFile(
        path=path,
        kind=kind,
        target=match["target"] or kind,  # "customers" or "conversions"
        file_date=file_date,
        format=match["format"],
    )


def ready_files(directory: Path | None = None) -> list[InboxFile]:
    """Files in the inbox whose completion marker exists, oldest date first, snapshot before groups."""
    directory = directory or inbox_dir()
    found = []
    if not directory.is_dir():
        return found
    for path in directory.iterdir():
        if path.name.endswith(MARKER_SUFFIX):
            continue
        try:
            info = parse_name(path)
        except FileRejected:
            continue
        if not is_regular_file(path):
            log.warning("inbox: %s is a symbolic link or not a regular file; not read", path.name)
            continue
        if info.is_ready:
            found.append(info)
    return sorted(found, key=lambda f: (f.file_date, f.kind != LoadKind.CUSTOMERS, f.path.name))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open_raw(path) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_marker(info: InboxFile, sha256: str) -> None:
    """If the marker names a SHA-256, the file must match it (a half-copied file does not)."""
    with open_raw(info.marker) as handle:
        text = handle.read(4096).decode("utf-8", errors="replace").strip()
    match = re.search(r"sha256[=: ]+([0-9a-fA-F]{64})", text)
    if match and match[1].lower() != sha256:
        raise FileRejected("marker_mismatch")


class _GzipReader:
    """A .csv.gz file's decompressed bytes; damage anywhere in it (a truncated file, a bad
    CRC, data that is not gzip) is a FileRejected, not an unexpected error."""

    def __init__(self, raw):
        self._raw = raw
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")

    def read(self, size: int = -1) -> bytes:
        try:
            return self._gzip.read(size)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise _gzip_damaged() from exc

    def tell(self) -> int:
        return self._gzip.tell()

    def close(self) -> None:
        try:
            self._gzip.close()
        finally:
            self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def open_binary(info: InboxFile):
    """The file's bytes, decompressed if gzip."""
    raw = open_raw(info.path)
    if info.format == "csv.gz":
        return _GzipReader(raw)
    return raw


@contextmanager
def open_parquet(info: InboxFile):
    """The file as a ``pyarrow.parquet.ParquetFile``, opened like every other (``open_raw``)."""
    import pyarrow.parquet as pq

    with open_raw(info.path) as raw:
        yield pq.ParquetFile(raw)


def count_data_lines(info: InboxFile) -> int | None:
    """Rows in the file for the progress bar (lines minus the header); Parquet from its metadata."""
    if info.format == "parquet":
        with open_parquet(info) as parquet:
            return parquet.metadata.num_rows
    lines = 0
    last = b"\n"
    try:
        with open_binary(info) as handle:
            while chunk := handle.read(CHUNK):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
    except (OSError, EOFError):
        return None
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def check_header(columns: list[str], kind: str) -> tuple[list[str], list[str]]:
    """Validate a header; return (known columns present, extra columns). Raise FileRejected with what is wrong."""
    spec = {
        LoadKind.TARGET_GROUP: TARGET_GROUP_COLUMNS,
        LoadKind.CONVERSIONS: CONVERSION_COLUMNS,
        LoadKind.SERVICE_CONTACTS: CONTACT_COLUMNS,
    }.get(kind, CUSTOMER_COLUMNS)
    names = [c.strip().lower() for c in columns]
    if not any(names):
        raise FileRejected("empty_header")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FileRejected("duplicate_columns", cols=duplicates)
    known = {name for name, _required in spec}
    missing = [name for name, required in spec if required and name not in names]
    if missing:
        raise FileRejected("missing_columns", missing=missing, header=names)
    extra = [n for n in names if n not in known]
    if extra and kind != LoadKind.TARGET_GROUP:
        refused = {
            LoadKind.CUSTOMERS: "unknown_customer_columns",
            LoadKind.SERVICE_CONTACTS: "unknown_contact_columns",
        }.get(kind, "unknown_conversion_columns")
        raise FileRejected(refused, extra=extra, allowed=[name for name, _r in spec])
    if len(extra) > MAX_EXTRA_COLUMNS:
        raise FileRejected("too_many_extra_columns", n=MAX_EXTRA_COLUMNS)
    reserved = sorted(set(extra) & RESERVED_COLUMNS)
    if reserved:
        raise FileRejected("reserved_columns", names=reserved)
    bad = [n for n in extra if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", n)]
    if bad:
        raise FileRejected("bad_column_names", bad=bad)
    return names, extra


def check_readable(info: InboxFile) -> list[str]:
    """Open the file and check its header before anything is counted or loaded; return the header."""
    if info.format == "parquet":
        columns = parquet_columns(info)
    else:
        try:
            with open_binary(info) as handle:
                columns, _rest = read_csv_header(handle)
        except (OSError, EOFError) as exc:
            raise FileRejected("unreadable_format", format=info.format, error=str(exc)) from exc
    check_header(columns, info.kind)
    return columns


def read_csv_header(handle) -> tuple[list[str], bytes]:
    """Read the header line of a CSV byte stream (BOM dropped); return its columns and the bytes after it."""
    import csv
    import io

    head = handle.read(CHUNK)
    if not head.strip():
        raise FileRejected("empty_file")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    while b"\n" not in head:
        more = handle.read(CHUNK)
        if not more:
            head += b"\n"
            break
        head += more
    line, rest = head.split(b"\n", 1)
    try:
        text = line.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError as exc:
        raise FileRejected("header_not_utf8") from exc
    if "\x00" in text:
        raise nul_character(1)
    columns = next(csv.reader(io.StringIO(text)))
    return columns, rest


def iter_csv_rows(info: InboxFile) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for every data row of a CSV file; the header is line 1."""
    import codecs
    import csv

    with open_binary(info) as raw:
        columns, rest = read_csv_header(raw)
        decoder = codecs.getincrementaldecoder("utf-8")()

        def text_chunks():
            offset_line = 2
            data = rest
            while True:
                if b"\x00" in data:  # before any row of this block is read
                    at = data.index(b"\x00")
                    raise nul_character(offset_line + data.count(b"\n", 0, at))
                try:
                    yield decoder.decode(data, final=not data)
                except UnicodeDecodeError as exc:
                    raise FileRejected("not_utf8_near_line", line=offset_line) from exc
                if not data:
                    return
                offset_line += data.count(b"\n")
                data = raw.read(CHUNK)

        def lines():
            buffer = ""
            for text in text_chunks():
                buffer += text
                *complete, buffer = buffer.split("\n")
                for item in complete:
                    yield item + "\n"
            if buffer:
                yield buffer

        reader = csv.reader(lines())
        width = len(columns)
        for fields in reader:
            line = reader.line_num + 1
            if len(fields) > width:
                raise FileRejected("too_many_fields", line=line)
            if len(fields) < width:
                raise FileRejected("too_few_fields", line=line)
            yield line, fields


def _first_nul(batch) -> int | None:
    """The index of the first row of a record batch with a NUL character in a text column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = None
    for column in batch.columns:
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        index = pc.index(pc.match_substring(column, "\x00"), True).as_py()
        if index >= 0 and (found is None or index < found):
            found = index
    return found


def iter_parquet_rows(info: InboxFile, columns: list[str]) -> Iterator[tuple[int, list[str]]]:
    """(row number + 1, fields as text) for every row of a Parquet file, in batches."""
    line = 1
    with open_parquet(info) as parquet:
        for batch in parquet.iter_batches(batch_size=50_000, columns=columns):
            nul = _first_nul(batch)
            if nul is not None:
                raise nul_character(line + nul + 1)
            for row in zip(
                *(batch.column(i).to_pylist() for i in range(batch.num_columns)), strict=True
            ):
                line += 1
                yield line, ["" if v is None else str(v) for v in row]


# Contract columns that hold whole numbers. A Parquet column of another type (2.0 as a
# float) is read by the rules as Python's text, "2.0", and rejected; Arrow's CSV text for it
# is "2", which PostgreSQL's COPY would take. ``parquet_batches`` hands COPY Python's text.
WHOLE_NUMBER_COLUMNS = {"rank"}


def parquet_batches(info: InboxFile, columns: list[str], *, batch_size: int):
    """The file's record batches for COPY, with each whole-number column that is stored as
    neither an integer nor text turned into Python's text, as ``iter_parquet_rows`` reads it:
    so a value reaches the rules as the same text on both paths."""
    import pyarrow as pa

    with open_parquet(info) as parquet:
        for batch in parquet.iter_batches(batch_size=batch_size, columns=columns):
            arrays = list(batch.columns)
            for i, name in enumerate(batch.schema.names):
                kind = arrays[i].type
                if name.strip().lower() not in WHOLE_NUMBER_COLUMNS or (
                    pa.types.is_integer(kind)
                    or pa.types.is_string(kind)
                    or pa.types.is_large_string(kind)
                ):
                    continue
                arrays[i] = pa.array(
                    [None if v is None else str(v) for v in arrays[i].to_pylist()], pa.string()
                )
            yield pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def parquet_columns(info: InboxFile) -> list[str]:
    import pyarrow.parquet as pq

    with open_raw(info.path) as raw:
        try:
            return list(pq.ParquetFile(raw).schema_arrow.names)
        except Exception as exc:  # noqa: BLE001 - any pyarrow failure means "not a readable Parquet file"
            raise FileRejected("unreadable_parquet", error=str(exc)) from exc
