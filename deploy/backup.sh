#!/usr/bin/env bash
# Nightly backup of a production instance: a compressed, consistent PostgreSQL dump, kept 14 days.
# Usage: DATABASE_URL=postgres://… BACKUP_DIR=/var/backups/maillage deploy/backup.sh
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/maillage}"
mkdir -p "$BACKUP_DIR"
file="$BACKUP_DIR/maillage-$(date +%Y%m%d-%H%M%S).dump"
pg_dump --format=custom --no-owner --file="$file.partial" "$DATABASE_URL"
mv "$file.partial" "$file"
find "$BACKUP_DIR" -name 'maillage-*.dump' -mtime +14 -delete
echo "backup written to $file (restore: pg_restore --clean --no-owner -d \"\$DATABASE_URL\" $file)"
