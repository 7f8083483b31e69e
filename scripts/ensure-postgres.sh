#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for user postgres with trust auth:
# starts the machine's cluster, or installs Debian's PostgreSQL and configures it when there is none.
set -euo pipefail
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
ready && exit 0
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  bash "$(dirname "$0")/ensure-debian-packages.sh" postgresql
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
conf=/etc/postgresql/$version/main
if ! grep -q "motcua-trust" "$conf/pg_hba.conf" 2>/dev/null; then
  # Local development/CI only: trust connections from loopback, as the project's promise says.
  sed -i '1i host all all 127.0.0.1/32 trust # motcua-trust\nhost all all ::1/128 trust # motcua-trust\nlocal all all trust # motcua-trust' "$conf/pg_hba.conf"
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
echo "PostgreSQL did not start on 127.0.0.1:5432" >&2
exit 1
