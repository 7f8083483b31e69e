from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from motcua.deadlines.models import CalendarEntry
from motcua.deadlines.recompute import recompute
from motcua.dossiers import commands
from motcua.dossiers.events import verify_chain
from motcua.dossiers.models import DossierEvent

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def receive(world):
    return commands.receive_new(
        world.alice, world.receive_payload(), now=datetime(2026, 3, 2, 9, 0, tzinfo=VN)
    )


def test_audit_verify_passes_on_untouched_history(world, capsys):
    receive(world)
    call_command("audit", "verify")
    assert "OK: 1 hồ sơ" in capsys.readouterr().out


def test_the_database_refuses_to_change_or_delete_an_event(world):
    dossier = receive(world)
    with pytest.raises(DatabaseError), transaction.atomic():
        DossierEvent.objects.filter(dossier=dossier).update(actor_name="Người khác")
    with pytest.raises(DatabaseError), transaction.atomic():
        DossierEvent.objects.filter(dossier=dossier)._raw_delete(connection.alias)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="drops the SQLite trigger to simulate a tamperer")
def test_audit_detects_an_event_altered_behind_the_triggers(world):
    dossier = receive(world)
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER dossiers_event_no_update")
        cursor.execute("UPDATE dossiers_dossierevent SET actor_name = 'Kẻ giả mạo'")
    assert any("altered" in p for p in verify_chain(dossier))
    with pytest.raises(CommandError, match="vấn đề"):
        call_command("audit", "verify")


def test_a_storm_closure_moves_open_due_dates_with_an_event(world):
    dossier = receive(world)  # due Mon 09/03 09:00
    CalendarEntry.objects.create(
        date=datetime(2026, 3, 4).date(), kind="day_off", name="Nghỉ tránh bão", source="Công điện 01/CĐ-UBND"
    )
    report = recompute(dry_run=True)
    assert [m.item.key for m in report.moves] == [dossier.code]
    dossier.refresh_from_db()
    assert dossier.due_at == datetime(2026, 3, 9, 9, 0, tzinfo=VN)  # dry run: nothing moved
    recompute()
    dossier.refresh_from_db()
    assert dossier.due_at == datetime(2026, 3, 10, 9, 0, tzinfo=VN)
    assert dossier.events.order_by("-seq").first().action == "recalculate_due"
    assert verify_chain(dossier) == []
