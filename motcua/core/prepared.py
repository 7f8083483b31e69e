"""Querysets compiled to SQL once per process, then run again and again with new values.

Why: Django compiles a queryset to SQL on every execution. For the wide `select_related` reads that every
dossier command makes — the row lock (the dossier with its procedure, version and process) and the agency
tree of its places — compiling costs more Python than reading the rows; with these three compiled once,
the Python per lifecycle fell by about a quarter (docs/performance.md §3, fifth session). Their shape
never changes; only a code or a few ids do.

How: the queryset is built once with marker values and compiled; the markers' places among the SQL
parameters are remembered. Each run substitutes the real values, executes the same SQL and turns the rows
into model instances the way Django's own `ModelIterable` does — the compiler's converters, the related
objects' populators, the annotations — so the instances are the ORM's. Built on Django's compiler
attributes (`select`, `klass_info`, `annotation_col_map`), which is why Django is pinned and why
`motcua/core/tests/test_prepared.py` holds every prepared read equal to its plain queryset, on SQLite and
PostgreSQL. One compilation per database vendor and per shape (the length of each list value).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, models
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, int, int | None], ...]  # (parameter index, value index, list position or None)
    compiler: Any
    converters: dict
    init_list: list[str]
    model_slice: slice
    klass_info: dict
    annotations: dict[str, int]


class PreparedQuery(Generic[M]):
    """`PreparedQuery(build)`, where `build(*values)` returns the queryset; `.fetch(*values)` runs it.

    Values are strings, integers or non-empty lists of them (a list of n values compiles once per n). Each
    must reach the SQL as a parameter unchanged (an exact or `in` lookup on its own column type); a query
    where one does not is refused when first compiled.
    """

    def __init__(self, build: Callable[..., models.QuerySet[M]]):
        self._build = build
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def fetch(self, *values: Any, using: str = "default") -> list[M]:
        if any(isinstance(v, list | tuple) and not v for v in values):
            raise ValueError("an empty list selects nothing: ask the database only for something")
        connection = connections[using]
        shape = (using, connection.vendor, *(len(v) if isinstance(v, list | tuple) else None for v in values))
        compiled = self._compiled.get(shape)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(shape) or self._compile(values, using)
                self._compiled[shape] = compiled
        params = list(compiled.params)
        for param_index, value_index, position in compiled.slots:
            value = values[value_index]
            params[param_index] = value if position is None else value[position]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return self._instances(compiled, rows, using)

    def _compile(self, values: Sequence[Any], using: str) -> _Compiled:
        markers: dict[Any, tuple[int, int | None]] = {}
        marked: list[Any] = []
        for i, value in enumerate(values):
            if isinstance(value, list | tuple):
                items = [_marker(value[0], (i, k)) for k in range(len(value))]
                markers.update({m: (i, k) for k, m in enumerate(items)})
                marked.append(items)
            else:
                m = _marker(value, (i, None))
                markers[m] = (i, None)
                marked.append(m)
        queryset = self._build(*marked)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = tuple((n, *markers[p]) for n, p in enumerate(params) if _hashable(p) and p in markers)
        if {(v, k) for _n, v, k in slots} != set(markers.values()):
            raise ValueError("a marker did not reach the SQL as a parameter: this query cannot be prepared")
        klass_info = compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        columns = [s[0] for s in compiler.select[0 : compiler.col_count]]
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slots=slots,
            compiler=compiler,
            converters=compiler.get_converters(columns),
            init_list=[f[0].target.attname for f in compiler.select[start:end]],
            model_slice=slice(start, end),
            klass_info=klass_info,
            annotations=dict(compiler.annotation_col_map or {}),
        )

    @staticmethod
    def _instances(compiled: _Compiled, rows: list, using: str) -> list[Any]:
        compiler = compiled.compiler
        if compiler.has_extra_select:
            rows = [row[: compiler.col_count] for row in rows]
        if compiled.converters:
            rows = list(compiler.apply_converters(rows, compiled.converters))
        model = compiled.klass_info["model"]
        # django-stubs describe a later Django (a fourth argument, fetch_mode); the pinned 5.2 takes three.
        populators = get_related_populators(compiled.klass_info, compiler.select, using)  # type: ignore[call-arg]
        objects = []
        for row in rows:
            obj = model.from_db(using, compiled.init_list, row[compiled.model_slice])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


def _marker(example: Any, where: tuple[int, int | None]) -> Any:
    """A value of the example's type that no real query uses, distinct per place."""
    i, k = where
    n = 1000 * (i + 1) + (k or 0) + (500 if k is not None else 0)
    if isinstance(example, str):
        return f"\x00motcua-prepared-{n}\x00"
    if isinstance(example, int):
        return -(2**62) + n
    raise TypeError(f"cannot prepare a query on a {type(example).__name__} value")


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
