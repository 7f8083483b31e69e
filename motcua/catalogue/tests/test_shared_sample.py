"""Quality bar of the importer on the shared national sample (1,762 real records), read from SHARED_DIR.

The checks scan the source text independently of the parser (their own regular expressions) and compare
with what was stored. The figures are printed (pytest -s) and recorded as test properties; docs/catalogue.md
quotes them with the command that produced them.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import defaultdict

import pytest
from django.conf import settings
from django.db.models import Q

from motcua.catalogue.importers.parsing import parse_duration
from motcua.catalogue.importers.runner import import_path
from motcua.catalogue.models import ChannelOption, Component, Fee, ResultDocument

SAMPLE = settings.SHARED_DIR / "data" / "tthc" / "national_catalogue_sample.jsonl.gz"
CHANNEL_LABELS = ("Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính")

# An amount written in đồng: digits (with . or , separators), an optional 'triệu'/'tỷ', then the currency.
SCAN_AMOUNT = re.compile(
    r"(\d[\d.,]*)\s*(triệu|tỷ)?\s*(Việt Nam Đồng|VNĐ|VND|đồng(?! thời| ý| bộ)|đ(?![^\W\d_]))", re.IGNORECASE
)
SCAN_RESULT_CODE = re.compile(r"KQ\.[GH]\d{2}\.\d{6}(?!\d)")


def _amount(number: str, multiplier: str | None) -> int:
    if multiplier:
        factor = {"triệu": 10**6, "tỷ": 10**9}[multiplier.lower()]
        decimal = re.fullmatch(r"(\d+)[.,](\d{1,2})", number)
        if decimal:
            return (int(decimal.group(1)) * 100 + int(decimal.group(2).ljust(2, "0"))) * factor // 100
        return int(re.sub(r"\D", "", number)) * factor
    return int(re.sub(r"\D", "", number))


pytestmark = [
    pytest.mark.skipif(not SAMPLE.exists(), reason=f"shared sample not available at {SAMPLE}"),
    pytest.mark.slow,
    pytest.mark.django_db,
]


def test_the_shared_sample_meets_the_quality_bar(record_property):
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as stream:
        records = [json.loads(line) for line in stream]
    started = time.monotonic()
    run = import_path(SAMPLE)
    elapsed = time.monotonic() - started

    total = len(records)
    imported = run.ok + run.partial
    structured_q = Q(duration_unit__in=["same_day", "none"]) | (
        ~Q(duration_unit="") & Q(duration_value__isnull=False)
    )
    channels = ChannelOption.objects.filter(structured_q).values_list(
        "version__procedure__code", "duration_text"
    )
    with_structured = {code for code, _ in channels}
    # Stated in the time cell itself (not inferred from the description or steps and flagged for review).
    from_cell = {
        code
        for code, text in channels
        if any(parse_duration(line.split(" — ")[0]).structured for line in text.splitlines())
    }

    fees = defaultdict(set)
    for code, amount in Fee.objects.exclude(amount=None).values_list(
        "channel_option__version__procedure__code", "amount"
    ):
        fees[code].add(amount)
    amounts_seen = amounts_missing = 0
    missing_examples = []
    for record in records:
        text = record["cach_thuc_thuc_hien"]
        parsed = fees[record["ma_thu_tuc"]]
        for m in SCAN_AMOUNT.finditer(text):
            if not re.search(r"\d", m.group(1).rstrip(".,")):
                continue
            amounts_seen += 1
            value = _amount(m.group(1).rstrip(".,"), m.group(2))
            # Right after a channel label the unit-less duration is glued to the amount ("Trực tuyến120 VNĐ"):
            # the amount is the tail of the digits, and the record is flagged partial for review.
            glued = text[: m.start()].endswith(CHANNEL_LABELS)
            if value in parsed or (glued and any(str(value).endswith(str(a)) for a in parsed)):
                continue
            amounts_missing += 1
            missing_examples.append((record["ma_thu_tuc"], m.group(0)))

    codes = defaultdict(set)
    for code, result in ResultDocument.objects.values_list("version__procedure__code", "result_code"):
        codes[code].add(result)
    for code, result in Component.objects.values_list("version__procedure__code", "replacing_result_code"):
        codes[code].add(result)
    result_codes_seen = result_codes_missing = 0
    for record in records:
        in_source = {c for value in record.values() for c in SCAN_RESULT_CODE.findall(str(value))}
        result_codes_seen += len(in_source)
        result_codes_missing += len(in_source - codes[record["ma_thu_tuc"]])

    figures = {
        "records": total,
        "imported_ok_or_partial": imported,
        "ok": run.ok,
        "partial": run.partial,
        "rejected": run.rejected,
        "imported_share": round(imported / total, 4),
        "with_structured_duration": len(with_structured),
        "with_structured_duration_share": round(len(with_structured) / total, 4),
        "with_duration_stated_in_cell_share": round(len(from_cell) / total, 4),
        "amounts_in_dong_seen": amounts_seen,
        "amounts_in_dong_missing": amounts_missing,
        "result_codes_seen": result_codes_seen,
        "result_codes_missing": result_codes_missing,
        "seconds": round(elapsed, 1),
    }
    for key, value in figures.items():
        record_property(key, value)
    print("\ncatalogue import quality:", json.dumps(figures, ensure_ascii=False))

    assert imported / total >= 0.97
    assert len(with_structured) / total >= 0.88
    assert amounts_missing == 0, missing_examples[:10]
    assert result_codes_missing == 0
    # The import time is printed and recorded above, not asserted: a timed unit test fails on a busy machine
    # (72 s once under a parallel load, 20–30 s alone); speed belongs to the benchmarks (bench/).
