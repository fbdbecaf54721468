#!/usr/bin/env bash
# EcoCheck restore drill: prove the latest backup restores, without touching production.
#
#   deploy/restore-drill.sh [--dump FILE]
#
# 1. verify the dump's checksum; 2. CREATE DATABASE ecocheck_drill_<stamp> on the same server
# (or DRILL_ADMIN_URL's); 3. pg_restore into it; 4. `flask db upgrade` and `flask audit verify`
# against it, with storage pointed at the BACKUP mirror (never the live bucket); 5. count the rows
# of every table; 6. check every object the restored database references is in the mirror;
# 7. DROP the scratch database (also on failure). Exit 0 only if every step passed.
# A line per drill is appended to BACKUP_DIR/drills.log. Run it monthly and after every release.
set -Eeuo pipefail
umask 077
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_env

dump=""
while (($#)); do
    case "$1" in
        --dump) dump="${2:?--dump 需要文件名}"; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) die "未知参数：$1" ;;
    esac
    shift
done
[[ -n "$dump" ]] || dump="$(latest_dump)"
[[ -f "$dump" ]] || die "找不到备份文件：$dump"

admin_url="${DRILL_ADMIN_URL:-$(with_database "$(libpq_url "${DATABASE_URL:?DATABASE_URL 未设置}")" postgres)}"
admin_url="$(libpq_url "$admin_url")"
scratch="ecocheck_drill_$(date -u +%Y%m%d%H%M%S)_$$"
scratch_url="$(with_database "$admin_url" "$scratch")"
workdir="$(mktemp -d)"
started=$SECONDS
status="失败"

psql_admin() { psql --no-psqlrc --quiet --tuples-only --no-align --set ON_ERROR_STOP=1 --dbname="$admin_url" "$@"; }
psql_scratch() { psql --no-psqlrc --quiet --tuples-only --no-align --set ON_ERROR_STOP=1 --dbname="$scratch_url" "$@"; }

cleanup() {
    psql_admin --command "DROP DATABASE IF EXISTS \"$scratch\" WITH (FORCE)" >/dev/null 2>&1 \
        || log "警告：未能删除演练数据库 $scratch，请手工删除"
    rm -rf -- "$workdir"
    mkdir -p "$BACKUP_DIR"
    printf '%s\t%s\t%s\t%ss\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$status" "$(basename "$dump")" \
        "$((SECONDS - started))" >>"$BACKUP_DIR/drills.log"
    log "演练$status（$((SECONDS - started)) 秒）：$dump"
}
trap cleanup EXIT

log "1/6 校验备份文件 $dump"
verify_checksum "$dump"

log "2/6 创建演练数据库 $scratch"
psql_admin --command "CREATE DATABASE \"$scratch\"" >/dev/null

log "3/6 恢复"
pg_restore --no-owner --no-privileges --single-transaction --exit-on-error --dbname="$scratch_url" "$dump"

log "4/6 flask db upgrade + flask audit verify"
cd "$APP_DIR"
drill_env=(env "DATABASE_URL=$scratch_url" "ECOCHECK_INSTANCE_PATH=$workdir"
           "STORAGE_BACKEND=local" "STORAGE_PATH=$BACKUP_DIR/objects")
"${drill_env[@]}" "${FLASK[@]}" db upgrade
"${drill_env[@]}" "${FLASK[@]}" audit verify

log "5/6 各表行数"
tables="$(psql_scratch --command \
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")"
total=0
while IFS= read -r table; do
    [[ -n "$table" ]] || continue
    count="$(psql_scratch --command "SELECT count(*) FROM \"$table\"")"
    printf '  %-32s %s\n' "$table" "$count" >&2
    total=$((total + count))
done <<<"$tables"
users="$(psql_scratch --command "SELECT count(*) FROM users")"
((users > 0)) || die "恢复后的数据库没有用户：备份可能是空库"
log "共 $total 行"

log "6/6 检查对象是否都在备份中"
psql_scratch --command \
    "SELECT sha256 FROM uploads UNION SELECT thumb_key FROM uploads WHERE thumb_key IS NOT NULL" \
    | "$PYTHON" "$DEPLOY_DIR/objects.py" check "$BACKUP_DIR/objects"

status="通过"
