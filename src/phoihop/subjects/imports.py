"""Importing persons from a CSV or XLSX file: upload, map the columns, check, commit.

1. `import_upload` keeps the file and reads its header row; a file in the
   template columns (tabular.TEMPLATE_COLUMNS) is mapped and checked at once,
   any other goes through the mapping step (`import_map`).
2. `import_check` is the dry run: every row is read (streamed), its problems
   recorded. Errors (bad date, unknown nationality, missing name, a document
   number used twice in the file or already on record…) block the commit;
   warnings (a likely match of a person on record, or of another row) are
   resolved by the officer, row by row (`import_resolve`): the row *is* that
   person (nothing created) or a new person all the same.
   Each row is worked in Python once, here: its fields as `subject_create` would
   save them (Hán-Việt and pinyin derived), its search text and its search keys
   (`matching.subject_keys`; what comes from the names alone is cached, since
   names repeat), all staged in the database (`ImportRow.fields`; the strong keys
   also in `ImportRowKey`) with COPY on PostgreSQL, executemany on SQLite, so that
   neither the check nor the commit holds the file in memory. Repeats within the
   file are found by one grouped query over the staged keys.
3. `import_commit` queues `import_run` (subjects.tasks) for a worker: every
   person of the file is created in ONE transaction (all or nothing: a worker
   killed midway leaves nothing), in batches of set-based SQL (INSERT … SELECT
   from the staged rows: persons, documents, keys), one audit event per batch.

Progress while the commit runs: the data transaction is invisible to others
until it commits, and on SQLite no other connection may write meanwhile, so
the worker writes its progress to a small file beside the uploaded one
(MEDIA_ROOT/imports/progress/<job>.json), which the page reads. Workers on
other machines share MEDIA_ROOT already (they read the uploaded file from it).
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import islice
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import connections, router, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.accounts.choices import CASEWORK_ROLES
from phoihop.accounts.models import Agency
from phoihop.audit.services import audit_record
from phoihop.core import context, policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import search_blob
from phoihop.subjects import matching, tabular
from phoihop.subjects.choices import ImportLevel, ImportResolution, ImportStatus
from phoihop.subjects.models import (
    IdentityDocument,
    ImportJob,
    ImportProblem,
    ImportRow,
    ImportRowKey,
    Subject,
    SubjectNameKey,
)
from phoihop.subjects.services import _clean

BATCH = 2000
MAX_CANDIDATES = 5
# Persons kept per shared key and birth year: a common name has hundreds of namesakes.
MAX_HITS = 50
ANY_YEAR = "*"
# Keys that make two records likely the same person (with a compatible birth year).
NAME_KINDS = (matching.FOLD, matching.SORTED, matching.HAN)
# A running commit whose progress file has not moved for this long is shown as stalled.
STALLED_SECONDS = 120


# ---------------------------------------------------------------- upload and mapping


def _may_import(actor) -> bool:
    return policy.is_system(actor) or (
        policy.is_active_user(actor) and actor.role in CASEWORK_ROLES
    )


def import_upload(
    *, actor, file, filename: str, agency: Agency | None = None, check: bool = True
) -> ImportJob:
    """Keep an uploaded file of persons and read its header row; check it if in template columns.

    A file that cannot be read as a table raises ServiceError({"file": …}); nothing is kept.
    """
    if not _may_import(actor):
        raise policy.NotFound
    if policy.is_system(actor):
        if agency is None:
            raise ServiceError({"agency": _("Cần chỉ rõ cơ quan lập hồ sơ (--agency).")})
    else:
        if agency is not None and agency.pk != actor.agency_id:
            raise ServiceError({"agency": _("Chỉ được nhập đối tượng cho cơ quan mình.")})
        agency = actor.agency
    size = getattr(file, "size", None)
    if size is not None and size > settings.PHOIHOP_IMPORT_MAX_BYTES:
        raise ServiceError(
            {
                "file": _("Tệp lớn quá %(mb)d MB: chia nhỏ tệp.")
                % {"mb": settings.PHOIHOP_IMPORT_MAX_BYTES // (1024 * 1024)}
            }
        )
    try:
        table = tabular.read_table(file, filename, max_rows=settings.PHOIHOP_IMPORT_MAX_ROWS)
    except tabular.TableError as exc:
        raise ServiceError({"file": exc.message}) from exc
    mapping = tabular.template_mapping(table.headers)
    file.seek(0)
    with transaction.atomic():
        job = ImportJob(
            filename=os.path.basename(filename)[:255] or "import",
            headers=table.headers,
            mapping=mapping or {},
            created_by=None if policy.is_system(actor) else actor,
            agency=agency,
        )
        job.file.save(f"import{Path(filename).suffix.lower()[:6]}", File(file), save=False)
        job.save()
        audit_record(
            actor=actor,
            action="subject.import.upload",
            obj=job,
            changes={"filename": job.filename, "headers": job.headers},
        )
    if mapping and check:
        job = import_check(job=job, actor=actor)
    return job


def mapping_errors(headers: list[str], mapping: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    used: dict[int, str] = {}
    for column, index in mapping.items():
        if column not in tabular.TEMPLATE_COLUMNS:
            errors[column] = _("Trường không hợp lệ.")
        elif not isinstance(index, int) or not 0 <= index < len(headers):
            errors[column] = _("Cột không có trong tệp.")
        elif index in used:
            errors[column] = _("Cột «%(h)s» đã được ghép vào trường %(f)s.") % {
                "h": headers[index],
                "f": tabular.column_label(used[index]),
            }
        else:
            used[index] = column
    if not any(c in mapping for c in tabular.NAME_COLUMNS):
        errors["ho_ten"] = _("Cần ghép ít nhất một cột tên (họ và tên, tên gốc hoặc tên Latin).")
    return errors


def import_map(*, actor, job: ImportJob, mapping: dict[str, int]) -> ImportJob:
    """Set which column of the file holds which field, then check the file (dry run)."""
    job = policy.get_or_404(ImportJob.objects.all(), actor, policy.CHANGE, pk=job.pk)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKED):
        raise ServiceError(_("Lần nhập này đã được ghi, không đổi được cách ghép cột."))
    if errors := mapping_errors(job.headers, mapping):
        raise ServiceError(errors)
    with transaction.atomic():
        job.mapping = mapping
        job.save(update_fields=["mapping", "updated_at"])
        audit_record(
            actor=actor, action="subject.import.map", obj=job, changes={"mapping": mapping}
        )
    return import_check(job=job, actor=actor)


# ---------------------------------------------------------------- dry run


def _label(table: tabular.Table | None, mapping: dict[str, int], column: str) -> str:
    """The column as the user knows it: its header in the file (the template name if the same)."""
    if table is not None and column in mapping:
        return table.column_name(mapping[column])
    return column


def import_check(*, job: ImportJob, actor) -> ImportJob:
    """The dry run: read every row, record each row's problems; nothing is created."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKED):
            raise ServiceError(_("Lần nhập này đã được ghi."))
        _clear_staging(job)
        try:
            with transaction.atomic():
                rows = _check_rows(job, actor)
        except tabular.TableError as exc:
            rows = 0
            ImportProblem.objects.create(
                job=job, row=0, level=ImportLevel.ERROR, message=exc.message
            )
        counts = dict(
            job.problems.values_list("level").annotate(n=Count("id")).values_list("level", "n")
        )
        job.row_count = rows
        job.error_count = counts.get(ImportLevel.ERROR, 0)
        job.warning_count = counts.get(ImportLevel.WARNING, 0)
        job.status = ImportStatus.CHECKED
        job.message = ""
        job.save()
    return job


def _clear_staging(job: ImportJob) -> None:
    ImportProblem.objects.filter(job=job).delete()
    ImportRow.objects.filter(job=job).delete()
    ImportRowKey.objects.filter(job=job).delete()


def _check_rows(job: ImportJob, actor) -> int:
    mapping = {k: int(v) for k, v in job.mapping.items()}
    visible = _visible_subjects(actor)
    today = timezone.localdate()
    count = 0
    with job.file.open("rb") as fileobj:
        table = tabular.read_table(fileobj, job.filename, max_rows=settings.PHOIHOP_IMPORT_MAX_ROWS)
        labels = {c: _label(table, mapping, c) for c in tabular.TEMPLATE_COLUMNS}
        batch: list[_Staged] = []
        for number, values in table.rows():
            fields, problems = tabular.row_fields(values, mapping, today=today)
            batch.append(_stage(number, fields, problems, mapping))
            count += 1
            if len(batch) >= BATCH:
                _check_batch(job, batch, labels, visible)
                batch = []
        if batch:
            _check_batch(job, batch, labels, visible)
        if count == 0:
            raise tabular.TableError(_("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào."))
        _repeats_in_file(job, labels)
    return count


def _visible_subjects(actor):
    queryset = Subject.objects.filter(merged_into__isnull=True)
    return queryset if policy.is_system(actor) else policy.restrict(queryset, actor)


# Fields of a person taken from the staged row by the commit (the rest: the model's defaults).
STAGED_FIELDS = (
    "full_name",
    "native_name",
    "latin_name",
    "han_viet",
    "pinyin",
    "sex",
    "birth_year",
    "birth_month",
    "birth_day",
    "nationality",
    "ethnicity",
    "readings_confirmed",
    "search_text",
)
# Name forms repeat (namesakes are common): what is derived from them is kept for
# this many distinct names, a bound on memory whatever the size of the file.
NAME_CACHE = 4096


@lru_cache(maxsize=NAME_CACHE)
def _names(full_name: str, native_name: str, latin_name: str) -> tuple[tuple, str, str]:
    """(name fields as subject_create saves them, their search text, refusal or "").

    The names go through the service's own cleaning (`services._clean`: the name in
    Vietnamese derived from the Hán tự or the Latin name, Hán-Việt and pinyin derived,
    readings not confirmed); the other fields were checked by `tabular.row_fields`.
    """
    try:
        data = _clean(
            {"full_name": full_name, "native_name": native_name, "latin_name": latin_name}
        )
    except ServiceError as exc:
        return (), "", service_message(exc)
    names = (
        data["full_name"],
        data["native_name"],
        data["latin_name"],
        data.get("han_viet", ""),
        data.get("pinyin", ""),
        bool(data.get("readings_confirmed", False)),
    )
    return names, search_blob(*names[:5]), ""


@lru_cache(maxsize=NAME_CACHE)
def _name_keys(names: tuple) -> tuple[frozenset[tuple[str, str]], tuple[str, ...]]:
    """(`matching.subject_keys` of the names alone, the tokens of their name forms)."""
    full_name, native_name, latin_name, han_viet, pinyin, _confirmed = names
    fields = {
        "full_name": full_name,
        "native_name": native_name,
        "latin_name": latin_name,
        "han_viet": han_viet,
        "pinyin": pinyin,
    }
    forms, _han = matching.subject_forms(fields)
    tokens = {t for form in forms for t in form.tokens if len(t) >= 2}
    return frozenset(matching.subject_keys(fields)), tuple(sorted(tokens))


def person_keys(names: tuple, fields: dict[str, Any]) -> set[tuple[str, str]]:
    """`matching.subject_keys` of a staged person, the part from the names cached.

    The birth date adds a key per name token with the year, and the full date; the
    documents their numbers (tests/test_subject_import.py checks that the whole equals
    `matching.subject_keys`, which stays the one definition of the keys).
    """
    base, tokens = _name_keys(names)
    keys = set(base)
    year = fields["birth_year"]
    if year:
        keys.update((matching.TOKYEAR, f"{t}|{year}"[: matching.MAX_KEY]) for t in tokens)
    born = matching.birth_key(year, fields["birth_month"], fields["birth_day"])
    if born:
        keys.add((matching.BORN, born[: matching.MAX_KEY]))
    for doc in fields["documents"]:
        if dkey := matching.document_key(doc["number"]):
            keys.add((matching.DOC, dkey[: matching.MAX_KEY]))
    return keys


class _Staged:
    """One row as checked: what is staged, its problems, its keys for the repeat checks."""

    __slots__ = ("docs", "fields", "name_keys", "number", "problems", "year")

    def __init__(self, number, fields, problems, name_keys, docs, year):
        self.number = number
        self.fields = fields
        self.problems = problems
        self.name_keys = name_keys
        self.docs = docs
        self.year = year


def _stage(number: int, fields: dict[str, Any], problems: list, mapping) -> _Staged:
    """The row as the commit will create it: fields, search text and search keys, derived now.

    The commit then only copies staged rows in the database (no Python per row there).
    A row in error is fixed and checked again: no keys and no likely-match warning for it yet.
    """
    year = fields.get("birth_year")
    docs = [
        (doc["number"], dkey)
        for doc in fields["documents"]
        if (dkey := matching.document_key(doc["number"]))
    ]
    name_keys: set[tuple[str, str]] = set()
    if not problems:
        names, blob, refusal = _names(
            fields["full_name"], fields["native_name"], fields["latin_name"]
        )
        if refusal:
            first = next((c for c in tabular.NAME_COLUMNS if c in mapping), "ho_ten")
            problems = [(first, refusal)]
        else:
            (
                fields["full_name"],
                fields["native_name"],
                fields["latin_name"],
                fields["han_viet"],
                fields["pinyin"],
                fields["readings_confirmed"],
            ) = names
            numbers = [d["number"] for d in fields["documents"]]
            fields["search_text"] = search_blob(blob, *numbers) if numbers else blob
            keys = person_keys(names, fields)
            fields["keys"] = sorted(keys)
            # A blank key (matching derives one from an empty pinyin form of a name
            # without Hán tự) says nothing about the name: no warning rests on it.
            name_keys = {k for k in keys if k[0] in NAME_KINDS and k[1].strip()}
    return _Staged(number, fields, problems, name_keys, docs, year)


_PROBLEM_COLUMNS = (
    "job_id",
    "row",
    "column",
    "level",
    "message",
    "candidates",
    "same_rows",
    "resolution",
)


def _problem(job, row, level, message, column="", candidates=(), same_rows=()) -> tuple:
    """A row of ImportProblem for `_insert` (no model instance per problem)."""
    return (
        job.pk,
        row,
        column,
        str(level),
        message,
        json.dumps(list(candidates)),
        json.dumps(list(same_rows)),
        str(ImportResolution.PENDING),
    )


def _check_batch(job, batch: list[_Staged], labels, visible) -> None:
    problems: list[tuple] = []
    row_keys: list[tuple] = []
    for staged in batch:
        number, year = staged.number, staged.year
        for column, message in staged.problems:
            problems.append(
                _problem(job, number, ImportLevel.ERROR, message, labels.get(column, column))
            )
        for kind, key in staged.name_keys:
            row_keys.append((job.pk, number, kind, key, year))
        for _text, dkey in staged.docs:
            row_keys.append((job.pk, number, matching.DOC, dkey, year))
    problems += _documents_on_record(job, batch, labels, visible)
    problems += _persons_on_record(job, batch, visible)
    _insert(
        ImportRow,
        ("job_id", "row", "fields"),
        ((job.pk, s.number, json.dumps(s.fields, ensure_ascii=False)) for s in batch),
    )
    _insert(ImportRowKey, ("job_id", "row", "kind", "key", "birth_year"), row_keys)
    _insert(ImportProblem, _PROBLEM_COLUMNS, problems)


def _documents_on_record(job, batch: list[_Staged], labels, visible) -> list[tuple]:
    wanted = {dkey for staged in batch for _n, dkey in staged.docs}
    if not wanted:
        return []
    owners: dict[str, int] = dict(
        SubjectNameKey.objects.filter(kind=matching.DOC, key__in=sorted(wanted))
        .order_by("key", "subject_id")
        .values_list("key", "subject_id")
    )
    if not owners:
        return []
    shown = dict(
        visible.filter(pk__in=set(owners.values())).values_list("pk", "full_name").order_by()
    )
    column = labels["so_giay_to"]
    out = []
    for staged in batch:
        for text, dkey in staged.docs:
            owner = owners.get(dkey)
            if owner is None:
                continue
            if owner in shown:
                message = _("Số giấy tờ %(n)s đã có trong hồ sơ đối tượng #%(id)d %(name)s.") % {
                    "n": text,
                    "id": owner,
                    "name": shown[owner],
                }
            else:
                message = _(
                    "Số giấy tờ %(n)s đã có trong hồ sơ đối tượng của cơ quan khác "
                    "(liên hệ cơ quan đó để xác minh)."
                ) % {"n": text}
            out.append(
                _problem(
                    job,
                    staged.number,
                    ImportLevel.ERROR,
                    message,
                    column,
                    candidates=[owner] if owner in shown else [],
                )
            )
    return out


def _persons_on_record(job, batch: list[_Staged], visible) -> list[tuple]:
    """Warnings for rows sharing a strong name key with a person on record, same or unknown year."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for staged in batch:
        for kind, key in staged.name_keys:
            wanted[kind].add(key)
    if not wanted:
        return []
    condition = Q()
    for kind, keys in wanted.items():
        condition |= Q(kind=kind, key__in=sorted(keys))
    # (kind, key, birth year or None) → persons: a row of year Y looks only at Y and unknown.
    hits: dict[tuple[str, str, int | None], list[int]] = defaultdict(list)
    for kind, key, sid, year in (
        SubjectNameKey.objects.filter(condition)
        .filter(Exists(visible.filter(pk=OuterRef("subject_id"))))
        .values_list("kind", "key", "subject_id", "subject__birth_year")
    ):
        found = hits[(kind, key, year)]
        if len(found) < MAX_HITS:
            found.append(sid)
            hits[(kind, key, ANY_YEAR)].append(sid)
    if not hits:
        return []
    weight = {matching.HAN: 3, matching.FOLD: 2, matching.SORTED: 1}
    chosen: dict[int, list[int]] = {}
    for staged in batch:
        year = staged.year
        score: dict[int, int] = defaultdict(int)
        for kind, key in staged.name_keys:
            if year is None:
                found = hits.get((kind, key, ANY_YEAR), ())
            else:
                found = [*hits.get((kind, key, year), ()), *hits.get((kind, key, None), ())]
            for sid in found:
                score[sid] += weight[kind]
        if score:
            chosen[staged.number] = sorted(score, key=lambda s: (-score[s], s))[:MAX_CANDIDATES]
    people = {
        pk: (name, born)
        for pk, name, born in Subject.objects.filter(
            pk__in={s for ids in chosen.values() for s in ids}
        ).values_list("pk", "full_name", "birth_year")
    }
    out = []
    for number, best in chosen.items():
        names = ", ".join(
            f"#{s} {people[s][0]}" + (f" ({people[s][1]})" if people[s][1] else "") for s in best
        )
        out.append(
            _problem(
                job,
                number,
                ImportLevel.WARNING,
                _("Có thể là người đã có: %(names)s.") % {"names": names},
                candidates=best,
            )
        )
    return out


# Earlier rows of the file kept per shared name key as possible repeats of a later row.
MAX_EARLIER = MAX_CANDIDATES * 4


def _repeats_in_file(job, labels) -> None:
    """Errors for a document number repeated in the file; warnings for a name repeated.

    Found in the database over the staged keys (grouped, indexed), streamed back in
    row order: nothing per row of the file is held in memory.
    """
    connection = connections[router.db_for_write(ImportRowKey)]
    q = connection.ops.quote_name
    table, row, key = q(ImportRowKey._meta.db_table), q("row"), q("key")
    column = labels["so_giay_to"]
    if connection.vendor == "postgresql":
        # The staged keys were just loaded: without statistics the planner takes the
        # table for empty and joins it to itself row by row.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    repeated_documents = f"""
        SELECT k.{row}, k.{key}, f.first_row
        FROM {table} k
        JOIN (
            SELECT {key}, MIN({row}) AS first_row FROM {table}
            WHERE job_id = %s AND kind = %s
            GROUP BY {key} HAVING COUNT(DISTINCT {row}) > 1
        ) f ON f.{key} = k.{key}
        WHERE k.job_id = %s AND k.kind = %s AND k.{row} > f.first_row
        ORDER BY k.{row}, k.{key}
    """  # noqa: S608 (names from the model)
    _insert(
        ImportProblem,
        _PROBLEM_COLUMNS,
        (
            _problem(
                job,
                number,
                ImportLevel.ERROR,
                _("Số giấy tờ %(n)s trùng với dòng %(r)d của tệp.") % {"n": dkey, "r": first},
                column,
            )
            for number, dkey, first in _stream(
                connection, repeated_documents, [job.pk, matching.DOC, job.pk, matching.DOC]
            )
        ),
    )
    # A later row sharing a strong name key with one of the first rows of that key, of a
    # compatible birth year (the same, or either unknown): the five earliest such rows.
    kinds = ", ".join(["%s"] * len(NAME_KINDS))
    repeated_names = f"""
        WITH k AS (
            SELECT kind, {key}, {row}, birth_year FROM (
                SELECT kind, {key}, {row}, birth_year,
                       ROW_NUMBER() OVER (PARTITION BY kind, {key} ORDER BY {row}) AS n
                FROM {table} WHERE job_id = %s AND kind IN ({kinds})
            ) numbered WHERE n <= %s
        ), pairs AS (
            SELECT DISTINCT b.{row} AS later, a.{row} AS earlier
            FROM k a JOIN {table} b
              ON b.job_id = %s AND b.kind = a.kind AND b.{key} = a.{key} AND b.{row} > a.{row}
            WHERE a.birth_year IS NULL OR b.birth_year IS NULL OR a.birth_year = b.birth_year
        ), ranked AS (
            SELECT later, earlier,
                   ROW_NUMBER() OVER (PARTITION BY later ORDER BY earlier) AS m
            FROM pairs
        )
        SELECT later, earlier FROM ranked WHERE m <= %s ORDER BY later, earlier
    """  # noqa: S608 (names from the model)

    def warnings():
        current, others = None, []
        for later, earlier in _stream(
            connection, repeated_names, [job.pk, *NAME_KINDS, MAX_EARLIER, job.pk, MAX_CANDIDATES]
        ):
            if later != current:
                if others:
                    yield _same_rows_warning(job, current, others)
                current, others = later, []
            others.append(earlier)
        if others:
            yield _same_rows_warning(job, current, others)

    _insert(ImportProblem, _PROBLEM_COLUMNS, warnings())


def _same_rows_warning(job, row: int, others: list[int]) -> tuple:
    return _problem(
        job,
        row,
        ImportLevel.WARNING,
        _("Có thể là cùng người với dòng %(rows)s của tệp.")
        % {"rows": ", ".join(str(r) for r in others)},
        same_rows=others,
    )


def _stream(connection, sql: str, params: list, size: int = 5000):
    """The rows of a query, fetched in chunks (a server-side cursor on PostgreSQL)."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            # A cursor is planned for its first rows by default (nested loops over the
            # staged keys); these queries are read to the end: plan them for the whole.
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(size):
            yield from chunk


def _insert(model, columns: tuple[str, ...], rows: Iterable[tuple], chunk: int = 5000) -> None:
    """Insert plain rows fast: COPY on PostgreSQL, executemany elsewhere, in chunks.

    For the many small rows of an import (staged rows, keys, problems), where building
    a model instance per row would cost more than the insert itself. `rows` may be a
    generator reading the same connection (a chunk is taken before each statement).
    """
    table = model._meta.db_table
    connection = connections[router.db_for_write(model)]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
    else:
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"  # noqa: S608 (names from the model)
    rows = iter(rows)
    while part := list(islice(rows, chunk)):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(sql) as copy:
                    for row in part:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, part)


# ---------------------------------------------------------------- warnings


def import_resolve(
    *,
    actor,
    job: ImportJob,
    problem_id: int,
    resolution: str,
    subject_id: int | None = None,
    row: int | None = None,
) -> ImportProblem:
    """The officer's decision on one warning: the row is that person/row (link), or new (accept)."""
    job = policy.get_or_404(ImportJob.objects.all(), actor, policy.CHANGE, pk=job.pk)
    if job.status != ImportStatus.CHECKED:
        raise ServiceError(_("Lần nhập này không còn ở bước kiểm tra."))
    try:
        problem = job.problems.get(pk=problem_id, level=ImportLevel.WARNING)
    except (ImportProblem.DoesNotExist, ValueError, TypeError) as exc:
        raise policy.NotFound from exc
    problem.linked_subject = None
    problem.linked_row = None
    if resolution == ImportResolution.LINK:
        if problem.candidates:
            if (
                subject_id not in problem.candidates
                or not _visible_subjects(actor).filter(pk=subject_id).exists()
            ):
                raise ServiceError({"subject": _("Chọn một người trong danh sách có thể trùng.")})
            problem.linked_subject_id = subject_id
        else:
            if row not in problem.same_rows:
                raise ServiceError({"row": _("Chọn một dòng trong danh sách có thể trùng.")})
            problem.linked_row = row
    elif resolution != ImportResolution.ACCEPT:
        raise ServiceError({"resolution": _("Cách xử lý không hợp lệ.")})
    with transaction.atomic():
        problem.resolution = resolution
        problem.save(update_fields=["resolution", "linked_subject", "linked_row"])
        # Another warning of the same row that says "new person" would contradict a link.
        if resolution == ImportResolution.LINK:
            job.problems.filter(
                row=problem.row, level=ImportLevel.WARNING, resolution=ImportResolution.PENDING
            ).exclude(pk=problem.pk).update(resolution=ImportResolution.ACCEPT)
        audit_record(
            actor=actor,
            action="subject.import.resolve",
            obj=job,
            changes={
                "row": problem.row,
                "resolution": resolution,
                "subject": problem.linked_subject_id,
                "same_row": problem.linked_row,
            },
        )
    return problem


def import_accept_pending(*, actor, job: ImportJob) -> int:
    """Every warning not yet resolved: create the person anyway."""
    job = policy.get_or_404(ImportJob.objects.all(), actor, policy.CHANGE, pk=job.pk)
    if job.status != ImportStatus.CHECKED:
        raise ServiceError(_("Lần nhập này không còn ở bước kiểm tra."))
    with transaction.atomic():
        n = job.problems.filter(
            level=ImportLevel.WARNING, resolution=ImportResolution.PENDING
        ).update(resolution=ImportResolution.ACCEPT)
        audit_record(actor=actor, action="subject.import.accept", obj=job, changes={"warnings": n})
    return n


# ---------------------------------------------------------------- commit


@transaction.atomic
def import_commit(
    *, actor, job: ImportJob, accept_warnings: bool = False, enqueue: bool = True
) -> ImportJob:
    """Queue the commit of a checked file without errors and with every warning resolved.

    `enqueue=False`: the caller runs `import_run` itself (the CLI, which waits for it).
    """
    job = policy.get_or_404(ImportJob.objects.select_for_update(), actor, policy.CHANGE, pk=job.pk)
    if job.status != ImportStatus.CHECKED:
        raise ServiceError(_("Chỉ ghi được một lần nhập đã kiểm tra và chưa ghi."))
    if job.error_count:
        raise ServiceError(
            _("Tệp còn %(n)d lỗi: sửa tệp rồi tải lại; không dòng nào được ghi.")
            % {"n": job.error_count}
        )
    pending = job.problems.filter(level=ImportLevel.WARNING, resolution=ImportResolution.PENDING)
    if accept_warnings:
        pending.update(resolution=ImportResolution.ACCEPT)
    elif pending.exists():
        raise ServiceError(
            _("Còn %(n)d cảnh báo chưa xử lý: chọn «là người đã có» hoặc «vẫn tạo mới».")
            % {"n": pending.count()}
        )
    from phoihop.subjects.tasks import import_commit_task

    job.status = ImportStatus.QUEUED
    job.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="subject.import.commit", obj=job, changes={})
    _write_progress(job.pk, 0, job.row_count)

    def queue() -> None:
        result = import_commit_task.enqueue(job.pk)
        ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))

    if enqueue:
        transaction.on_commit(queue)
    return job


def progress_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{job_id}.json"


def _write_progress(job_id: int, done: int, total: int) -> None:
    path = progress_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"done": done, "total": total, "at": time.time()}))
    os.replace(tmp, path)


def read_progress(job: ImportJob) -> dict[str, Any]:
    """{done, total, percent, stalled} of a commit, as the page shows it."""
    total = job.row_count or 0
    if job.status == ImportStatus.DONE:
        done = total
        stalled = False
    else:
        try:
            data = json.loads(progress_path(job.pk).read_text())
            done, total, at = int(data["done"]), int(data["total"]) or total, float(data["at"])
        except (OSError, ValueError, KeyError):
            done, at = 0, time.time()
        stalled = job.status == ImportStatus.RUNNING and time.time() - at > STALLED_SECONDS
    percent = int(done * 100 / total) if total else 0
    return {"done": done, "total": total, "percent": min(percent, 100), "stalled": stalled}


def import_run(
    job_id: int, *, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Create every person of a checked import in one transaction (the worker's job)."""
    job = ImportJob.objects.select_related("created_by", "agency").get(pk=job_id)
    if job.status != ImportStatus.QUEUED:
        return {"created": job.created_count, "linked": job.linked_count}
    actor = job.created_by or policy.SYSTEM
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )

    def report(done: int, total: int) -> None:
        _write_progress(job.pk, done, total)
        if progress:
            progress(done, total)

    try:
        with context.job(f"import-{job.pk}"), transaction.atomic():
            if not _may_import(actor) or (
                not policy.is_system(actor) and actor.agency_id != job.agency_id
            ):
                raise ServiceError(_("Người nhập không còn quyền lập hồ sơ đối tượng."))
            created, linked = _create_all(job, actor, report)
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.DONE,
                created_count=created,
                linked_count=linked,
                finished_at=timezone.now(),
            )
            _clear_staging_rows(job)
    except BaseException as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            message=_("Không ghi được, không người nào được tạo: %(e)s")
            % {"e": service_message(exc)},
        )
        raise
    progress_path(job.pk).unlink(missing_ok=True)
    return {"created": created, "linked": linked}


def service_message(exc: BaseException) -> str:
    """A refusal in one line, for the job's message and the CLI."""
    if isinstance(exc, ServiceError):
        return "; ".join(
            " ".join(messages) if field == "non_field_errors" else f"{field}: {' '.join(messages)}"
            for field, messages in exc.message_dict.items()
        )
    return str(exc) or type(exc).__name__


def _clear_staging_rows(job: ImportJob) -> None:
    ImportRow.objects.filter(job=job).delete()
    ImportRowKey.objects.filter(job=job).delete()


_IDS = "phoihop_import_ids"


class _Copier:
    """The commit as set-based SQL: staged rows (ImportRow.fields) become persons,
    documents and search keys with INSERT … SELECT, a batch of rows at a time.

    Ids come from the table's sequence on PostgreSQL (nextval in the same statement),
    and are counted on from the highest used on SQLite (which holds the write lock for
    the whole transaction); a temporary table pairs each row with its new id.
    """

    def __init__(self, job: ImportJob):
        self.job = job
        self.connection = connections[router.db_for_write(Subject)]
        self.pg = self.connection.vendor == "postgresql"
        q = self.connection.ops.quote_name
        self.q = q
        self.rows_table = q(ImportRow._meta.db_table)
        self.subjects = q(Subject._meta.db_table)
        self.next_id = 0
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {_IDS} (row_number integer PRIMARY KEY, "
                "subject_id bigint NOT NULL)"
            )
            cursor.execute(f"DELETE FROM {_IDS}")  # noqa: S608
            if self.pg:
                # Statistics of the rows staged by the dry run (a plan for 2,000 rows, not 0).
                cursor.execute(f"ANALYZE {self.rows_table} (job_id, {q('row')})")
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Subject._meta.db_table])
                self.sequence = cursor.fetchone()[0]
            else:
                highest = (
                    "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                    f"COALESCE((SELECT MAX(id) FROM {self.subjects}), 0))"
                )
                cursor.execute(highest, [Subject._meta.db_table])
                self.next_id = cursor.fetchone()[0]

    # -- JSON of the staged row, per engine
    def text(self, name: str) -> str:
        if self.pg:
            return f"r.fields ->> '{name}'"
        return f"json_extract(r.fields, '$.{name}')"

    def typed(self, name: str, field) -> str:
        if not self.pg:
            return self.text(name)
        cast = {"BooleanField": "boolean"}.get(field.get_internal_type(), "integer")
        if field.get_internal_type() in ("CharField", "TextField"):
            return self.text(name)
        return f"({self.text(name)})::{cast}"

    def elements(self, name: str) -> tuple[str, str]:
        """(FROM item expanding an array of the staged row, expression of its element's part)."""
        if self.pg:
            return f"jsonb_array_elements(r.fields -> '{name}') e", "e.value"
        return f"json_each(r.fields, '$.{name}') e", "e.value"

    def part(self, element: str, path: str) -> str:
        """`path`: an array index (0) or a key (kind) of the element."""
        if self.pg:
            return f"{element} ->> {path if path.isdigit() else repr(path)}"
        return (
            f"json_extract({element}, '$[{path}]')"
            if path.isdigit()
            else (f"json_extract({element}, '$.{path}')")
        )

    def run(self, last: int, upto: int | None, actor) -> int:
        """Create the persons of staged rows last < row <= upto (not linked to one on record)."""
        job, q = self.job, self.q
        rows = self.rows_table
        problems = q(ImportProblem._meta.db_table)
        row = q("row")
        where = f"r.job_id = %s AND r.{row} > %s" + (f" AND r.{row} <= %s" if upto else "")
        params = [job.pk, last] + ([upto] if upto else [])
        not_linked = (
            f"NOT EXISTS (SELECT 1 FROM {problems} p WHERE p.job_id = r.job_id "  # noqa: S608
            f"AND p.{row} = r.{row} AND p.level = %s AND p.resolution = %s)"
        )
        link = [str(ImportLevel.WARNING), str(ImportResolution.LINK)]
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {_IDS}")  # noqa: S608
            if self.pg:
                new_id, id_params = "nextval(%s::regclass)", [self.sequence]
            else:
                new_id, id_params = f"%s + ROW_NUMBER() OVER (ORDER BY r.{row})", [self.next_id]
            cursor.execute(
                f"INSERT INTO {_IDS} (row_number, subject_id) SELECT r.{row}, {new_id} "  # noqa: S608
                f"FROM {rows} r WHERE {where} AND {not_linked}",
                [*id_params, *params, *link],
            )
            created = cursor.rowcount
            if not created:
                return 0
            self.next_id += created
            if self.pg:
                cursor.execute(f"ANALYZE {_IDS}")
            # The batch's range stated again: an index range scan of the staged rows
            # whatever the planner thinks of the temporary table.
            joined = f"{_IDS} t JOIN {rows} r ON {where} AND r.{row} = t.row_number"
            # Persons: staged fields, else the model's default (photo, address, merged_into…).
            columns, values, value_params = [], [], []
            now = timezone.now()
            for field in Subject._meta.concrete_fields:
                columns.append(q(field.column))
                if field.primary_key:
                    values.append("t.subject_id")
                elif field.name in STAGED_FIELDS:
                    values.append(self.typed(field.name, field))
                else:
                    if field.name == "owner_agency":
                        value = job.agency_id
                    elif field.name in ("created_at", "updated_at"):
                        value = now
                    else:
                        value = field.get_default()
                    values.append("%s")
                    value_params.append(field.get_db_prep_save(value, self.connection))
            cursor.execute(
                f"INSERT INTO {self.subjects} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT {', '.join(values)} FROM {joined}",
                [*value_params, *params],
            )
            source, element = self.elements("documents")
            cursor.execute(
                f"INSERT INTO {q(IdentityDocument._meta.db_table)} "  # noqa: S608
                "(subject_id, kind, number, country) "
                f"SELECT t.subject_id, {self.part(element, 'kind')}, "
                f"{self.part(element, 'number')}, {self.part(element, 'country')} "
                f"FROM {joined}, {source}",
                params,
            )
            source, element = self.elements("keys")
            cursor.execute(
                f"INSERT INTO {q(SubjectNameKey._meta.db_table)} (subject_id, kind, {q('key')}) "  # noqa: S608
                f"SELECT t.subject_id, {self.part(element, '0')}, {self.part(element, '1')} "
                f"FROM {joined}, {source}",
                params,
            )
            # What the audit keeps of each person created (as subject_create's event would).
            documents = (
                "(r.fields -> 'documents')::text"
                if self.pg
                else "json_extract(r.fields, '$.documents')"
            )
            cursor.execute(
                f"SELECT t.subject_id, {self.text('full_name')}, {self.typed('birth_year', _INT)}, "  # noqa: S608
                f"{self.typed('birth_month', _INT)}, {self.typed('birth_day', _INT)}, "
                f"{self.text('nationality')}, {documents} FROM {joined} ORDER BY t.subject_id",
                params,
            )
            described = [
                [
                    pk,
                    name,
                    Subject.birth_display.fget(
                        SimpleNamespace(birth_year=year, birth_month=month, birth_day=day)
                    ),
                    nationality,
                    [d["number"] for d in json.loads(docs)] if docs and docs != "[]" else [],
                ]
                for pk, name, year, month, day, nationality, docs in cursor.fetchall()
            ]
        audit_record(
            actor=actor, action="subject.import.create", obj=job, changes={"subjects": described}
        )
        return created

    def close(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_IDS}")


_INT = Subject._meta.get_field("birth_year")


def _create_all(job: ImportJob, actor, report) -> tuple[int, int]:
    # Take SQLite's write lock before reading the highest id (no other writer meanwhile).
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now())
    linked = (
        job.problems.filter(level=ImportLevel.WARNING, resolution=ImportResolution.LINK)
        .values("row")
        .distinct()
        .count()
    )
    total = job.row_count
    created = done = 0
    last = 0
    report(0, total)
    copier = _Copier(job)
    staged = ImportRow.objects.filter(job=job).order_by("row").values_list("row", flat=True)
    while True:
        upto = staged.filter(row__gt=last)[BATCH - 1 : BATCH].first()
        created += copier.run(last, upto, actor)
        if upto is None:
            done = total
        else:
            done += BATCH
            last = upto
        report(done, total)
        if upto is None:
            break
    copier.close()
    return created, linked
