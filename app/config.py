"""Configuration read from the environment; TestConfig for the test suite."""
import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The browsers' push services: Chrome/Edge-Chromium/Opera (FCM), Firefox, Windows (WNS), Safari.
DEFAULT_PUSH_HOSTS = ("fcm.googleapis.com", "updates.push.services.mozilla.com", "*.notify.windows.com",
                      "web.push.apple.com")


def instance_path() -> Path:
    """Return the instance folder (secrets, SQLite database, local file storage)."""
    return Path(os.environ.get("ECOCHECK_INSTANCE_PATH", PROJECT_ROOT / "instance")).resolve()


def _secret_key(folder: Path, name: str = "secret_key") -> str:
    """Read the secret from the environment (upper-case name), else generate it once into instance/."""
    if os.environ.get(name.upper()):
        return os.environ[name.upper()]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url(folder: Path) -> str:
    return normalise_database_url(os.environ.get("DATABASE_URL", f"sqlite:///{folder / 'ecocheck.db'}"))


def _public_base_url() -> str:
    return os.environ.get("PUBLIC_BASE_URL", "").strip()


def normalise_database_url(url: str) -> str:
    """Point plain postgres:// URLs at psycopg 3, the driver we ship."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    def __init__(self) -> None:
        folder = instance_path()
        self.INSTANCE_PATH = str(folder)
        self.SECRET_KEY = _secret_key(folder)
        # Keys the 抽样核查 draw; separate from SECRET_KEY so rotating the session key keeps old draws auditable.
        self.SAMPLE_SECRET = _secret_key(folder, "sample_secret")
        self.SQLALCHEMY_DATABASE_URI = _database_url(folder)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        if not self.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            # Per worker process; keep workers × (size + overflow) under PostgreSQL's max_connections.
            self.SQLALCHEMY_ENGINE_OPTIONS.update(
                pool_size=int(os.environ.get("DB_POOL_SIZE", 4)), max_overflow=int(os.environ.get("DB_MAX_OVERFLOW", 4)),
                pool_recycle=1800, pool_timeout=10)
        self.STORAGE_PATH = os.environ.get("STORAGE_PATH", str(folder / "files"))
        self.FRONTEND_DIST = os.environ.get("FRONTEND_DIST", str(PROJECT_ROOT / "frontend" / "dist"))
        self.MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", 15 * 1024 * 1024))
        # the CJK font of the evidence watermark (app/evidence/watermark.py); unset: Noto Sans CJK, else fontconfig
        self.WATERMARK_FONT = os.environ.get("WATERMARK_FONT") or None
        # Flask rejects bodies larger than this before a view runs (413).
        self.MAX_CONTENT_LENGTH = self.MAX_UPLOAD_BYTES + 1024 * 1024
        # Image decoding in bounded memory (app/evidence/uploads.py, docs/benchmarks.md): an image whose decoded
        # size (after JPEG reduction) exceeds the budget is refused from its header, and at most
        # IMAGE_JOBS_CONCURRENCY decodes run at once per process.
        self.IMAGE_DECODE_BUDGET_BYTES = int(os.environ.get("IMAGE_DECODE_BUDGET_BYTES", 32 * 1024 * 1024))
        self.IMAGE_JOBS_CONCURRENCY = int(os.environ.get("IMAGE_JOBS_CONCURRENCY", 2))
        self.IMAGE_JOB_WAIT_SECONDS = float(os.environ.get("IMAGE_JOB_WAIT_SECONDS", 30))
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # Secure cookies by default when the public address is https; SESSION_COOKIE_SECURE=0/1 overrides.
        self.SESSION_COOKIE_SECURE = os.environ.get(
            "SESSION_COOKIE_SECURE", "1" if _public_base_url().startswith("https://") else "0") == "1"
        self.PERMANENT_SESSION_LIFETIME = int(os.environ.get("IDLE_TIMEOUT_SECONDS", 8 * 3600))
        self.SESSION_REFRESH_EACH_REQUEST = True
        self.LOGIN_MAX_FAILURES_PER_USER = int(os.environ.get("LOGIN_MAX_FAILURES_PER_USER", 5))
        self.LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP", 30))
        self.LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
        self.PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")
        self.ELIGIBILITY_RULES_PATH = os.environ.get("ELIGIBILITY_RULES_PATH")  # a province's own rules file
        self.PUBLIC_BASE_URL = _public_base_url()  # links in reports, QR codes, e-mails (app/common/links.py)
        # The host names this deployment answers to (Flask answers 400 to any other Host header).
        self.TRUSTED_HOSTS = os.environ.get("TRUSTED_HOSTS", "").replace(",", " ").split() or None
        # Web Push endpoints must be on one of these hosts ("*.x" = any subdomain; "*" = any public host).
        self.PUSH_ALLOWED_HOSTS = os.environ.get("PUSH_ALLOWED_HOSTS", "").replace(",", " ").split() \
            or list(DEFAULT_PUSH_HOSTS)
        self.REPORT_NUMBER_PREFIX = os.environ.get("REPORT_NUMBER_PREFIX", "HJTJ")
        self.API_TITLE = "EcoCheck 环保自查 API"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/api"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.OPENAPI_REDOC_PATH = "/docs"
        self.OPENAPI_REDOC_URL = None  # the docs page must not load scripts from a CDN; see app/docs_page
        self.JSON_SORT_KEYS = False


class TestConfig(Config):
    """Config for the test suite: a given database and cheap password hashing."""

    def __init__(self, database_url: str | None = None) -> None:
        super().__init__()
        self.TESTING = True
        self.PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
        if database_url:
            self.SQLALCHEMY_DATABASE_URI = normalise_database_url(database_url)
