"""``motcua national-portal-sim``: one command migrates its own store, seeds the population and serves."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from simulators.national_portal.models import Citizen, OidcClient, SigningKey
from simulators.national_portal.tests.conftest import SIM_DB

ROOT = Path(__file__).resolve().parents[3]


def test_it_serves_the_simulator_in_its_own_process_with_its_own_store(tmp_path):
    env = os.environ | {
        "MOTCUA_VAR_DIR": str(tmp_path),
        "MOTCUA_SIM_DATABASE_URL": f"sqlite:///{tmp_path / 'sim.sqlite3'}",
        "MOTCUA_SIM_POPULATION": "40",
        "DEBUG": "0",
    }
    env.pop("MOTCUA_SIM_PUBLIC_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "national-portal-sim", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        base, seen = None, []
        while base is None:
            line = lines.get(timeout=60)
            seen.append(line)
            if match := re.search(r"(http://127\.0\.0\.1:\d+)/", line):
                base = match.group(1)
        assert any("40 công dân" in line for line in seen), seen
        with urllib.request.urlopen(f"{base}/sim/stats", timeout=10) as response:
            assert json.loads(response.read())["stored"]["citizens"] == 40
        with urllib.request.urlopen(f"{base}/oidc/.well-known/openid-configuration", timeout=10) as response:
            assert json.loads(response.read())["issuer"] == f"{base}/oidc"
        assert (tmp_path / "sim.sqlite3").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.mark.django_db(databases=SIM_DB)
def test_it_prepares_the_store_once_and_refuses_to_silently_change_the_population(capsys):
    call_command("national_portal_sim", "--no-serve", "--population", "30", "--seed", "5")
    call_command("national_portal_sim", "--no-serve", "--population", "30", "--seed", "5")
    assert Citizen.objects.count() == 30
    assert OidcClient.objects.count() == 1 and SigningKey.objects.count() == 1
    with pytest.raises(CommandError, match="--replace-population"):
        call_command("national_portal_sim", "--no-serve", "--population", "31", "--seed", "5")
    call_command(
        "national_portal_sim", "--no-serve", "--population", "31", "--seed", "5", "--replace-population"
    )
    assert Citizen.objects.count() == 31
