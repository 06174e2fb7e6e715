"""Checking a list of persons against the registry in one go (issue 6, point 7).

The counterpart sends a list of names to verify, in the import template's
columns (`subjects.tabular`). Each row becomes a `MatchQuery`: any one of
ho_ten, ten_goc (Hán tự) and ten_latinh is enough; birth date, sex,
nationality and document number sharpen it. Each row is matched with
`matching.match` over the persons the actor may see (the policy's queryset).

On the web, the result is kept between requests as a signed file in the
default storage (`batch-match/<user id>/<token>`), so every app server behind
the proxy reads it, another user's token is not found, a changed file is
refused, and it expires after `EXPIRY_SECONDS`. The officer then confirms a
candidate, registers the person, or asks for verification, row by row; those
go through the subjects services, and the row remembers what was done.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import fold
from phoihop.dossiers.models import Dossier
from phoihop.subjects import matching, services, tabular
from phoihop.subjects.choices import AccessKind, SubjectRole
from phoihop.subjects.models import DossierSubject, Subject
from phoihop.subjects.tabular import (
    TEMPLATE_COLUMNS,
    TableError,
    read_table,
    row_fields,
    template_mapping,
)

MAX_ROWS = 2000
# Candidates kept per row on the web page (the command line takes --limit).
WEB_CANDIDATES = 5
EXPIRY_SECONDS = 8 * 3600  # a working day, as long as a session
KEEP_PER_USER = 5  # older lists of the same user are removed when a new one is checked
STORAGE_DIR = "batch-match"
_SALT = "phoihop.subjects.batch"
NAME_COLUMNS = tabular.NAME_COLUMNS


class BatchError(Exception):
    """The list cannot be checked at all (not a table, wrong header, too many rows)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- rows ------------------------------------------------------------------------------------


@dataclass
class BatchRow:
    """One row of the list: its number in the file, the text received, what is wrong, the query."""

    number: int
    received: dict[str, str]
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    query: matching.MatchQuery | None = None


def row_query(fields: dict[str, Any], received: dict[str, str]) -> matching.MatchQuery | None:
    """The `MatchQuery` of one row (fields as `tabular.row_fields` parses them); None when
    the row carries no name form. What the row leaves empty stays unknown (the reader fills
    in VN for an empty nationality: a list from the counterpart must not be matched as VN)."""
    names = [
        name
        for name in (fields.get(f) or "" for f in ("full_name", "native_name", "latin_name"))
        if name and (matching.latin_tokens(name) or matching.han_key(name))
    ]
    if not names:
        return None
    documents = fields.get("documents") or []
    sex = fields.get("sex") or ""
    return matching.MatchQuery(
        name=names[0],
        other_names=tuple(names[1:]),
        birth_year=fields.get("birth_year"),
        birth_month=fields.get("birth_month"),
        birth_day=fields.get("birth_day"),
        sex=sex if sex in ("M", "F") else "",
        nationality=(fields.get("nationality") or "") if received.get("quoc_tich") else "",
        document=documents[0]["number"] if documents else "",
    )


def no_name_message(number: int) -> str:
    return _(
        "Dòng %(row)d không có tên: cần ít nhất một trong các cột ho_ten, ten_goc, ten_latinh."
    ) % {"row": number}


def _header_message(headers: list[str]) -> str:
    """Why a header row is not the template's: the columns it does not know, or no name."""
    known = {alias for aliases in tabular.HEADER_ALIASES.values() for alias in aliases}
    unknown = [h for h in headers if h.strip() and tabular.header_key(h) not in known]
    message = _(
        "Dòng tiêu đề phải dùng các cột của mẫu: %(cols)s (ít nhất một trong ho_ten, ten_goc, "
        "ten_latinh; mỗi cột một lần)."
    ) % {"cols": ", ".join(TEMPLATE_COLUMNS)}
    if unknown:
        message += " " + _("Cột không thuộc mẫu: %(cols)s.") % {
            "cols": ", ".join(f"«{h[:40]}»" for h in unknown[:8])
        }
    return message


def read_rows(fileobj, filename: str) -> list[BatchRow]:
    """The rows of an uploaded list in the template columns; BatchError if it cannot be read."""
    try:
        table = read_table(fileobj, filename, max_rows=MAX_ROWS)
        mapping = template_mapping(table.headers)
        if mapping is None:
            raise BatchError(_header_message(table.headers))
        rows = []
        for number, values in table.rows():
            received = {
                column: (values[index] if index < len(values) else "").strip()
                for column, index in mapping.items()
            }
            fields, problems = row_fields(values, mapping)
            query = row_query(fields, received)
            errors: list[tuple[str | None, str]] = [
                (column, message)
                for column, message in problems
                # A missing name is said once, naming the row, below.
                if query is not None or column not in NAME_COLUMNS or received.get(column)
            ]
            if query is None:
                errors.insert(0, (None, no_name_message(number)))
            rows.append(BatchRow(number, received, errors, query))
    except TableError as exc:
        raise BatchError(exc.message) from None
    if not rows:
        raise BatchError(_("Danh sách không có dòng dữ liệu nào dưới dòng tiêu đề."))
    return rows


def _visible(actor):
    """The persons `actor` may see, for `matching.match` (None: everyone, for the system)."""
    if policy.is_system(actor):
        return None
    # The policy's rule, compiled to SQL once for the whole list rather than once per row
    # (building that nested query costs more than running it): the same rows.
    sql, params = (
        policy.restrict(Subject.objects.all(), actor, policy.VIEW)
        .values("pk")
        .query.sql_with_params()
    )
    # Django's own SQL for the policy's queryset, its parameters bound: nothing user-typed.
    return Subject.objects.filter(pk__in=RawSQL(sql, params))  # noqa: S611


def match_rows(
    rows: Iterable[BatchRow], *, actor, limit: int
) -> Iterator[tuple[BatchRow, list[matching.Candidate]]]:
    """Each row with its candidates, best first, among the persons `actor` may see."""
    visible = _visible(actor)
    for row in rows:
        if row.query is None:
            yield row, []
        else:
            yield row, matching.match(row.query, queryset=visible, limit=limit)


# --- the kept result -------------------------------------------------------------------------


@dataclass
class Batch:
    """A checked list kept for its user: rows, candidates, and what the officer did per row."""

    token: str
    user_id: int
    filename: str
    created: float
    dossier_id: int | None
    purpose: str
    note: str
    rows: list[dict[str, Any]]
    logged: bool = False

    @property
    def complete(self) -> bool:
        return all(row["candidates"] is not None for row in self.rows)

    @property
    def matched(self) -> int:
        return sum(1 for row in self.rows if row["candidates"] is not None)

    def row(self, number: int) -> dict[str, Any]:
        for row in self.rows:
            if row["row"] == number:
                return row
        raise policy.NotFound

    def to_payload(self) -> dict[str, Any]:
        return {
            "v": 1,
            "token": self.token,
            "user": self.user_id,
            "filename": self.filename,
            "created": self.created,
            "dossier": self.dossier_id,
            "purpose": self.purpose,
            "note": self.note,
            "rows": self.rows,
            "logged": self.logged,
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Batch:
        return cls(
            token=data["token"],
            user_id=data["user"],
            filename=data["filename"],
            created=data["created"],
            dossier_id=data["dossier"],
            purpose=data["purpose"],
            note=data["note"],
            rows=data["rows"],
            logged=data.get("logged", False),
        )


def _path(user_id: int, token: str) -> str:
    return f"{STORAGE_DIR}/{user_id}/{token}"


def _valid_token(token: str) -> bool:
    return 16 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


def batch_save(batch: Batch) -> None:
    path = _path(batch.user_id, batch.token)
    data = signing.dumps(batch.to_payload(), salt=_SALT, compress=True)
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(data.encode("ascii")))


def batch_load(user, token: str) -> Batch:
    """The user's kept list `token`; NotFound when missing, someone else's, changed or expired."""
    if not getattr(user, "pk", None) or not _valid_token(token):
        raise policy.NotFound
    path = _path(user.pk, token)
    try:
        with default_storage.open(path, "rb") as fh:
            raw = fh.read().decode("ascii")
        data = signing.loads(raw, salt=_SALT, max_age=EXPIRY_SECONDS)
    except FileNotFoundError:
        raise policy.NotFound from None
    except (signing.BadSignature, UnicodeDecodeError, ValueError):
        default_storage.delete(path)
        raise policy.NotFound from None
    if data.get("user") != user.pk or data.get("token") != token:
        raise policy.NotFound
    return Batch.from_payload(data)


def _prune(user_id: int) -> None:
    """Remove the user's expired lists, and all but the newest few."""
    folder = f"{STORAGE_DIR}/{user_id}"
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    dated = []
    for name in files:
        path = f"{folder}/{name}"
        try:
            dated.append((default_storage.get_modified_time(path).timestamp(), path))
        except (FileNotFoundError, OSError):
            continue
    dated.sort(reverse=True)
    now = time.time()
    for rank, (modified, path) in enumerate(dated):
        if rank >= KEEP_PER_USER - 1 or now - modified > EXPIRY_SECONDS:
            default_storage.delete(path)


def user_batches(user) -> list[dict[str, Any]]:
    """The user's kept lists, newest first: token, file name, time, rows, rows dealt with."""
    folder = f"{STORAGE_DIR}/{user.pk}"
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    found = []
    for token in files:
        try:
            batch = batch_load(user, token)
        except policy.NotFound:
            continue
        found.append(
            {
                "token": batch.token,
                "filename": batch.filename,
                "created": dt.datetime.fromtimestamp(batch.created, tz=dt.UTC),
                "rows": len(batch.rows),
                "matched": batch.matched,
                "complete": batch.complete,
                "done": sum(1 for r in batch.rows if r["outcome"]),
            }
        )
    found.sort(key=lambda b: b["created"], reverse=True)
    return found


def _reason_rows(candidate: matching.Candidate) -> list[list[str]]:
    return [[r.field, r.verdict, r.text] for r in candidate.reasons]


def _query_dict(query: matching.MatchQuery | None) -> dict[str, Any] | None:
    if query is None:
        return None
    return {
        "name": query.name,
        "other_names": list(query.other_names),
        "birth_year": query.birth_year,
        "birth_month": query.birth_month,
        "birth_day": query.birth_day,
        "sex": query.sex,
        "nationality": query.nationality,
        "document": query.document,
    }


def batch_start(
    *, actor, fileobj, filename: str, purpose: str, note: str = "", dossier=None
) -> Batch:
    """Read an uploaded list for `actor` and keep it, its rows still to be matched.

    Refuses a missing purpose (ServiceError), a dossier the actor may not change
    (NotFound) and a file that is not a list in the template's columns (BatchError).
    """
    if errors := services.access_purpose_errors(purpose, note):
        raise ServiceError(errors)
    if dossier is not None:
        dossier = policy.get_or_404(Dossier.objects.all(), actor, policy.CHANGE, pk=dossier.pk)
    rows = read_rows(fileobj, filename)
    _prune(actor.pk)
    batch = Batch(
        token=secrets.token_urlsafe(18),
        user_id=actor.pk,
        filename=filename[:255],
        created=time.time(),
        dossier_id=dossier.pk if dossier is not None else None,
        purpose=purpose,
        note=note,
        rows=[
            {
                "row": row.number,
                "received": row.received,
                "errors": [[column, message] for column, message in row.errors],
                "query": _query_dict(row.query),
                "candidates": None,  # not matched yet
                "outcome": None,
            }
            for row in rows
        ],
    )
    batch_save(batch)
    return batch


def batch_advance(*, actor, batch: Batch, seconds: float | None = None) -> Batch:
    """Match the list's pending rows, for about `seconds` (None: all of them), and keep them.

    A long list is matched over several requests, each short, so no request outlives
    the proxy's timeout and the officer can leave and come back. Once every row is
    matched, the personal-data read is logged, once for the whole list.
    """
    started = time.monotonic()
    visible = _visible(actor)
    done = 0
    for row in batch.rows:
        if row["candidates"] is not None:
            continue
        if done and seconds is not None and time.monotonic() - started > seconds:
            break
        done += 1
        query = row.pop("query", None)
        candidates = []
        if query is not None:
            query["other_names"] = tuple(query["other_names"])
            candidates = matching.match(
                matching.MatchQuery(**query), queryset=visible, limit=WEB_CANDIDATES
            )
        row["candidates"] = [[c.id, c.score, _reason_rows(c)] for c in candidates]
    if batch.complete and not batch.logged:
        # Matching shows these persons' data to the officer: one logged read for the list.
        ids = {c[0] for row in batch.rows for c in row["candidates"]}
        services.subject_access_record(
            actor=actor,
            subjects=list(Subject.objects.filter(pk__in=ids).order_by("pk")),
            kind=AccessKind.VIEW,
            purpose=batch.purpose,
            note=batch.note,
        )
        batch.logged = True
    batch_save(batch)
    return batch


def batch_check(
    *, actor, fileobj, filename: str, purpose: str, note: str = "", dossier=None
) -> Batch:
    """Read, match and keep a whole list at once (for scripts and tests)."""
    batch = batch_start(
        actor=actor,
        fileobj=fileobj,
        filename=filename,
        purpose=purpose,
        note=note,
        dossier=dossier,
    )
    return batch_advance(actor=actor, batch=batch)


# --- what the officer does with a row --------------------------------------------------------


def batch_dossier(batch: Batch, actor):
    """The list's dossier, if any, as long as the actor may still change it."""
    if batch.dossier_id is None:
        return None
    return policy.get_or_404(Dossier.objects.all(), actor, policy.CHANGE, pk=batch.dossier_id)


def batch_confirm(*, actor, batch: Batch, number: int, subject_id: int) -> Subject:
    """The row is this candidate: marked on the row, and placed in the list's dossier if any."""
    row = batch.row(number)
    if subject_id not in {c[0] for c in row["candidates"]}:
        raise ServiceError({"candidate": _("Người được chọn không phải ứng viên của dòng này.")})
    subject = policy.get_or_404(Subject.objects.all(), actor, policy.VIEW, pk=subject_id)
    dossier = batch_dossier(batch, actor)
    if dossier is not None:
        services.subject_link(
            actor=actor, dossier=dossier, subject=subject, role=SubjectRole.UNDER_VERIFICATION
        )
    row["outcome"] = {
        "action": "confirmed",
        "subject": subject.pk,
        "dossier": dossier.pk if dossier is not None else None,
    }
    batch_save(batch)
    return subject


def row_initial(row: dict[str, Any]) -> dict[str, Any]:
    """The person form's initial values from a row as received (the officer corrects them)."""
    received = row["received"]
    initial: dict[str, Any] = {
        "full_name": received.get("ho_ten", ""),
        "native_name": received.get("ten_goc", ""),
        "latin_name": received.get("ten_latinh", ""),
        "ethnicity": received.get("dan_toc", ""),
        "sex": str(tabular.SEX_VALUES.get(fold(received.get("gioi_tinh", "")), "U")),
        "role": SubjectRole.UNDER_VERIFICATION,
    }
    with contextlib.suppress(ValueError):
        initial["nationality"] = tabular.nationality_code(received.get("quoc_tich", ""))
    with contextlib.suppress(ValueError):
        year, month, day = tabular.parse_birth(received.get("ngay_sinh", ""))
        initial.update(birth_year=year, birth_month=month, birth_day=day)
    numbers = tabular.document_numbers(received.get("so_giay_to", ""))
    if numbers:
        initial["document_number"] = numbers[0]
        initial["document_kind"] = str(
            tabular.document_kind(numbers[0], initial.get("nationality", "VN"))
        )
    return initial


def batch_create(
    *,
    actor,
    batch: Batch,
    number: int,
    role: str = "",
    distinct_from: Iterable[int] = (),
    **fields: Any,
) -> Subject:
    """Register the row's person (in the list's dossier if any) and mark the row.

    Likely duplicates refuse it (`services.LikelyDuplicates`) unless the officer declared
    each of them another person (`distinct_from`), as on the person form.
    """
    row = batch.row(number)
    dossier = batch_dossier(batch, actor)
    kwargs = {"check_duplicates": True, "distinct_from": list(distinct_from), **fields}
    if dossier is not None:
        subject = services.subject_create_in_dossier(
            actor=actor, dossier=dossier, role=role or SubjectRole.UNDER_VERIFICATION, **kwargs
        )
    else:
        subject = services.subject_create(actor=actor, **kwargs)
    row["outcome"] = {
        "action": "created",
        "subject": subject.pk,
        "dossier": dossier.pk if dossier is not None else None,
    }
    batch_save(batch)
    return subject


def row_subject_ids(row: dict[str, Any]) -> list[int]:
    """The persons a verification request of this row may be about: the settled one, or any
    candidate."""
    outcome = row.get("outcome") or {}
    if outcome.get("subject"):
        return [outcome["subject"]]
    return [c[0] for c in row["candidates"]]


def batch_request_verification(
    *,
    actor,
    batch: Batch,
    number: int,
    subject_id: int,
    dossier,
    requested_of,
    question: str,
    **request: Any,
):
    """Ask for the row's person to be verified in `dossier`, placing the person in it first.

    `request`: the other arguments of `services.verification_request` (the dispatch that
    carries it, the data sent). Both or neither: the link and the request are one
    transaction; the row is marked after.
    """
    row = batch.row(number)
    if subject_id not in row_subject_ids(row):
        raise ServiceError({"subject": _("Người được chọn không thuộc dòng này.")})
    with transaction.atomic():
        subject = policy.get_or_404(Subject.objects.all(), actor, policy.VIEW, pk=subject_id)
        dossier = policy.get_or_404(Dossier.objects.all(), actor, policy.CHANGE, pk=dossier.pk)
        if not DossierSubject.objects.filter(dossier=dossier, subject=subject).exists():
            services.subject_link(
                actor=actor, dossier=dossier, subject=subject, role=SubjectRole.UNDER_VERIFICATION
            )
        verification = services.verification_request(
            actor=actor,
            dossier=dossier,
            subject=subject,
            requested_of=requested_of,
            question=question,
            **request,
        )
    row["outcome"] = {
        "action": "requested",
        "subject": subject.pk,
        "dossier": dossier.pk,
        "verification": verification.pk,
        "confirmed": (row.get("outcome") or {}).get("action") in ("confirmed", "created"),
    }
    batch_save(batch)
    return verification


def question_text(batch: Batch, row: dict[str, Any]) -> str:
    """A first draft of the verification question from the row (the officer edits it)."""
    received = row["received"]
    names = " / ".join(v for k in NAME_COLUMNS if (v := received.get(k)))
    parts = [_("Đề nghị xác minh nhân thân, lý lịch của người có tên %(n)s") % {"n": names}]
    if received.get("ngay_sinh"):
        parts.append(_("sinh %(d)s") % {"d": received["ngay_sinh"]})
    if received.get("quoc_tich"):
        parts.append(_("quốc tịch %(c)s") % {"c": received["quoc_tich"]})
    if received.get("so_giay_to"):
        parts.append(_("giấy tờ số %(n)s") % {"n": received["so_giay_to"]})
    text = ", ".join(parts)
    return (
        text
        + " "
        + _("(dòng %(r)d của danh sách %(f)s).")
        % {
            "r": row["row"],
            "f": batch.filename,
        }
    )


def dumps_line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False)
