#!/usr/bin/env bash
# EcoCheck backup: a PostgreSQL dump (pg_dump -Fc) plus the evidence objects, date-stamped.
#
#   deploy/backup.sh            (cron/systemd timer, as a user that can read /etc/ecocheck/ecocheck.env)
#
# Writes under BACKUP_DIR (default /var/backups/ecocheck):
#   db/ecocheck-<UTC stamp>.dump (+ .sha256)     the whole database, custom format
#   objects/ab/cd/<sha256>                        mirror of the object store (objects never change)
#   manifests/objects-<UTC stamp>.txt             every object key referenced by that dump
# The dump is taken BEFORE the objects are copied, so every key the dump references is in the mirror.
# Copy BACKUP_DIR off the host afterwards (another region/bucket, restic, …): a backup on the same
# machine is not a backup. Old dumps are pruned after KEEP_DAYS (default 14); objects are kept.
set -Eeuo pipefail
umask 077
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_env

: "${DATABASE_URL:?DATABASE_URL 未设置}"
KEEP_DAYS="${KEEP_DAYS:-14}"
[[ "$KEEP_DAYS" =~ ^[0-9]+$ ]] || die "KEEP_DAYS 应为天数：$KEEP_DAYS"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
pg_url="$(libpq_url "$DATABASE_URL")"

mkdir -p "$BACKUP_DIR/db" "$BACKUP_DIR/objects" "$BACKUP_DIR/manifests"
exec 9>"$BACKUP_DIR/.backup.lock"
flock --nonblock 9 || die "另一个备份正在运行"

dump="$BACKUP_DIR/db/ecocheck-$stamp.dump"
partial="$dump.partial"
trap 'rm -f -- "$partial"' EXIT

log "导出数据库 → $dump"
pg_dump --format=custom --compress=6 --file="$partial" --dbname="$pg_url"
pg_restore --list "$partial" >/dev/null || die "导出文件无法读取：$partial"
mv -- "$partial" "$dump"
(cd "$BACKUP_DIR/db" && sha256sum "$(basename "$dump")" >"$(basename "$dump").sha256")

manifest="$BACKUP_DIR/manifests/objects-$stamp.txt"
psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$pg_url" --command \
    "SELECT sha256 FROM uploads UNION SELECT thumb_key FROM uploads WHERE thumb_key IS NOT NULL ORDER BY 1" \
    >"$manifest"
log "数据库引用 $(wc -l <"$manifest") 个对象"

case "${STORAGE_BACKEND:-local}" in
    s3)
        log "同步对象存储 s3://${S3_BUCKET:?S3_BUCKET 未设置}/${S3_PREFIX:-} → $BACKUP_DIR/objects"
        "$PYTHON" "$DEPLOY_DIR/objects.py" pull "$BACKUP_DIR/objects" >/dev/null
        ;;
    local)
        storage="${STORAGE_PATH:-${ECOCHECK_INSTANCE_PATH:-$APP_DIR/instance}/files}"
        log "同步本地文件 $storage → $BACKUP_DIR/objects"
        if [[ -d "$storage" ]]; then
            rsync --archive --ignore-existing -- "$storage/" "$BACKUP_DIR/objects/"
        fi
        ;;
    *) die "未知的 STORAGE_BACKEND：$STORAGE_BACKEND" ;;
esac

"$PYTHON" "$DEPLOY_DIR/objects.py" check "$BACKUP_DIR/objects" <"$manifest" \
    || die "备份不完整：上面列出的对象不在 $BACKUP_DIR/objects 中"

find "$BACKUP_DIR/db" -maxdepth 1 -type f -name 'ecocheck-*.dump*' -mtime +"$KEEP_DAYS" -delete
find "$BACKUP_DIR/manifests" -maxdepth 1 -type f -name 'objects-*.txt' -mtime +"$KEEP_DAYS" -delete
log "备份完成：$dump"
