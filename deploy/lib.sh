# shellcheck shell=bash
# Shared by backup.sh, restore.sh and restore-drill.sh (sourced, not run).

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
APP_DIR="${APP_DIR:-$(cd "$DEPLOY_DIR/.." && pwd)}"
VENV="${VENV:-$APP_DIR/.venv}"
PYTHON="${PYTHON:-$VENV/bin/python}"
# shellcheck disable=SC2034  # used by the scripts that source this file
FLASK=("$VENV/bin/flask" --app app)
BACKUP_DIR="${BACKUP_DIR:-/var/backups/ecocheck}"

log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "错误：$*"; exit 1; }

# Settings: the same env file systemd reads (KEY=value lines), unless the caller already exported them.
load_env() {
    local file="${ECOCHECK_ENV_FILE:-/etc/ecocheck/ecocheck.env}"
    if [[ -r "$file" ]]; then
        set -a
        # shellcheck disable=SC1090
        . "$file"
        set +a
    fi
}

# libpq (pg_dump, psql) does not understand SQLAlchemy's "postgresql+psycopg://".
libpq_url() {
    local url="$1"
    url="${url/#postgres:\/\//postgresql://}"
    url="${url/#postgresql+psycopg2:\/\//postgresql://}"
    url="${url/#postgresql+psycopg:\/\//postgresql://}"
    printf '%s' "$url"
}

# The same server, another database: replace the path, keep any ?query.
with_database() {
    local url="$1" name="$2" base query=""
    if [[ "$url" == *\?* ]]; then query="?${url#*\?}"; url="${url%%\?*}"; fi
    base="${url%/*}"
    printf '%s/%s%s' "$base" "$name" "$query"
}

latest_dump() {
    local latest
    latest="$(find "$BACKUP_DIR/db" -maxdepth 1 -type f -name 'ecocheck-*.dump' -print 2>/dev/null | sort | tail -n 1)"
    [[ -n "$latest" ]] || die "$BACKUP_DIR/db 中没有备份（ecocheck-*.dump）"
    printf '%s' "$latest"
}

verify_checksum() {
    local dump="$1"
    if [[ -f "$dump.sha256" ]]; then
        (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256") \
            || die "校验和不符：$dump"
    else
        log "警告：没有 $dump.sha256，跳过校验和检查"
    fi
}

# For log lines: hide the password and drop the query string of a database URL.
redact_url() {
    local url="${1%%\?*}"
    if [[ "$url" =~ ^([a-z0-9+]+://[^:/@]+):[^@]*@(.*)$ ]]; then
        url="${BASH_REMATCH[1]}:***@${BASH_REMATCH[2]}"
    fi
    printf '%s' "$url"
}
