#!/usr/bin/env bash
# Nightly backup from cron or a systemd timer: `npm run backup` with the instance's configuration
# (a pg_dump, or a copy of the embedded database, plus uploads), keeping BACKUP_KEEP of them.
# Setting BACKUP_EVERY_HOURS=24 on a worker does the same without cron. README: Backups and restore.
set -euo pipefail
cd "${MAILLAGE_DIR:-/opt/maillage}"
set -a
# shellcheck disable=SC1091
[ -r /etc/maillage/env ] && . /etc/maillage/env
set +a
exec node bin/maillage.ts backup
