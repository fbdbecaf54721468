#!/usr/bin/env bash
# EcoCheck restore: a dump from backup.sh into a database, and the object mirror back into the store.
#
#   deploy/restore.sh --yes [--dump FILE] [--database-url URL] [--skip-objects]
#
# Defaults: the latest dump under BACKUP_DIR, DATABASE_URL from /etc/ecocheck/ecocheck.env.
# STOP THE APP FIRST on every host:  systemctl stop ecocheck-web ecocheck-scheduler
# The target database's EcoCheck tables are replaced (pg_restore --clean) in one transaction; objects are
# only added (never deleted or overwritten — same key, same bytes). Afterwards it runs `flask db upgrade`
# (a dump from an older release is brought up to this release) and `flask audit verify`.
set -Eeuo pipefail
umask 077
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_env

dump="" target="${DATABASE_URL:-}" confirmed=0 objects=1
while (($#)); do
    case "$1" in
        --yes) confirmed=1 ;;
        --dump) dump="${2:?--dump 需要文件名}"; shift ;;
        --database-url) target="${2:?--database-url 需要 URL}"; shift ;;
        --skip-objects) objects=0 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) die "未知参数：$1" ;;
    esac
    shift
done
[[ -n "$target" ]] || die "没有目标数据库（DATABASE_URL 或 --database-url）"
[[ -n "$dump" ]] || dump="$(latest_dump)"
[[ -f "$dump" ]] || die "找不到备份文件：$dump"
verify_checksum "$dump"
pg_target="$(libpq_url "$target")"

log "将用 $dump 覆盖数据库 $(redact_url "$pg_target")"
((confirmed)) || die "这会覆盖数据：确认后加 --yes 再运行"

log "恢复数据库"
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
    --dbname="$pg_target" "$dump"

if ((objects)); then
    case "${STORAGE_BACKEND:-local}" in
        s3)
            log "上传对象到 s3://${S3_BUCKET:?S3_BUCKET 未设置}/${S3_PREFIX:-}"
            "$PYTHON" "$DEPLOY_DIR/objects.py" push "$BACKUP_DIR/objects" >/dev/null
            ;;
        local)
            storage="${STORAGE_PATH:-${ECOCHECK_INSTANCE_PATH:-$APP_DIR/instance}/files}"
            log "复制对象到 $storage"
            mkdir -p "$storage"
            rsync --archive --ignore-existing -- "$BACKUP_DIR/objects/" "$storage/"
            ;;
        *) die "未知的 STORAGE_BACKEND：$STORAGE_BACKEND" ;;
    esac
fi

cd "$APP_DIR"
DATABASE_URL="$target" "${FLASK[@]}" db upgrade
DATABASE_URL="$target" "${FLASK[@]}" audit verify
log "恢复完成。确认无误后启动：systemctl start ecocheck-web ecocheck-scheduler"
