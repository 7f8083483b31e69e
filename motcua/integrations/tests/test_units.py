"""Properties of the small pure pieces: backoff, Retry-After, file sniffing."""

from __future__ import annotations

import email.utils
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.integrations import files
from motcua.integrations.outbox import backoff
from motcua.integrations.portal import parse_retry_after
from simulators.national_portal.samplefiles import tiny_pdf, tiny_png


@settings(max_examples=300, deadline=None)
@given(attempts=st.integers(1, 60), retry_after=st.one_of(st.none(), st.floats(0, 3600)))
def test_backoff_grows_within_its_cap_keeps_half_and_never_undercuts_retry_after(attempts, retry_after):
    from django.conf import settings as django_settings

    base = django_settings.MOTCUA_NATIONAL_BACKOFF_BASE_MS / 1000
    cap = django_settings.MOTCUA_NATIONAL_BACKOFF_MAX_SECONDS
    full = min(cap, base * 2 ** (attempts - 1))
    delay = backoff(attempts, retry_after=retry_after).total_seconds()
    assert delay >= full / 2 - 1e-6
    assert delay <= max(full, retry_after or 0) + 1e-6
    if retry_after is not None:
        assert delay >= retry_after - 1e-6


@given(seconds=st.integers(0, 10**6))
def test_retry_after_reads_seconds_and_http_dates(seconds):
    assert parse_retry_after(str(seconds)) == seconds
    now = time.time()
    date = email.utils.formatdate(now + seconds, usegmt=True)
    assert abs(parse_retry_after(date, now=now) - seconds) <= 1
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@settings(max_examples=300)
@given(data=st.binary(max_size=64))
def test_sniffing_never_fails_and_names_only_known_kinds(data):
    kind = files.sniff(data)
    assert kind is None or kind in files.DEFAULT_KINDS | files.EXTRA_KINDS


def test_real_files_are_recognised_and_readable_and_damaged_ones_are_not():
    pdf, png = tiny_pdf("x"), tiny_png(1)
    assert (files.sniff(pdf), files.unreadable("pdf", pdf)) == ("pdf", None)
    assert (files.sniff(png), files.unreadable("png", png)) == ("png", None)
    assert files.unreadable("png", png[:30]) is not None
    assert files.unreadable("pdf", pdf[: len(pdf) // 2]) is not None
    assert files.sniff(b"Hello") is None
