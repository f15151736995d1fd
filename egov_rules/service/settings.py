"""Where the service keeps its data and what it allows: one object passed to ``create_app``."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..input.load import Limits

APP_NAME = "egov-rules"
DB_FILE = "egov-rules.sqlite3"
SECRET_FILE = "session-secret"


def default_data_dir() -> Path:
    """The user's data directory (platformdirs), overridable with EGOV_RULES_DATA_DIR."""
    env = os.environ.get("EGOV_RULES_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / DB_FILE}"


def normalise_db_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 (the driver we ship), not SQLAlchemy's default psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _load_or_create_secret(data_dir: Path) -> str:
    """A per-installation secret for signing browser sessions; created once, readable only by its owner."""
    env = os.environ.get("EGOV_RULES_SECRET")
    if env:
        return env
    path = data_dir / SECRET_FILE
    try:
        return path.read_text("ascii").strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # reviews and hashes: for the service's user only
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    return value


def _env_number(name: str, default: float, whole: bool = False, zero_is_off: bool = False) -> float:
    """A positive number from the environment variable ``name`` (``default`` when unset); with ``zero_is_off``
    also 0."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = -1
    if not (0 < value < float("inf") or (zero_is_off and value == 0)):  # also refuses nan
        expected = "a whole number of at least 1" if whole else "a positive number"
        raise ConfigError(f"set to {raw[:40]!r}", file="<environment>", field=name,
                          expected=expected + (", or 0 (off)" if zero_is_off else ""))
    return value


@dataclass
class Settings:
    """The service's settings, from the environment and command line."""
    data_dir: Path
    db_url: str
    limits: Limits = field(default_factory=Limits)
    session_secret: str = ""
    session_hours: float = 12.0
    cookie_secure: bool = False  # True behind TLS (docs/service.md): the cookie is then never sent in clear
    page_size_max: int = 200
    # login throttle per account name (auth.log_in): this many failures within the window refuse further tries
    login_max_failures: int = 5
    login_window_minutes: float = 15.0
    # ... and per client address, whatever the names (password spraying); an office behind one address shares it;
    # 0: off (a proxy that cannot pass the client's address would make every request one address)
    login_max_failures_per_client: int = 50

    @property
    def max_body(self) -> int:
        """Request bodies above this are refused with 413 before they are parsed: the CLI's --max-bytes."""
        return self.limits.max_bytes

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @classmethod
    def from_env(cls, db_url: str | None = None, data_dir: str | Path | None = None,
                 limits: Limits | None = None) -> Settings:
        directory = Path(data_dir) if data_dir else default_data_dir()
        url = normalise_db_url(db_url or os.environ.get("EGOV_RULES_DB") or default_db_url(directory))
        return cls(data_dir=directory, db_url=url, limits=limits or Limits(),
                   session_secret=_load_or_create_secret(directory),
                   cookie_secure=os.environ.get("EGOV_RULES_COOKIE_SECURE", "") == "1",
                   login_max_failures=int(_env_number("EGOV_RULES_LOGIN_MAX_FAILURES", cls.login_max_failures,
                                                      whole=True)),
                   login_window_minutes=_env_number("EGOV_RULES_LOGIN_WINDOW_MINUTES", cls.login_window_minutes),
                   login_max_failures_per_client=int(_env_number(
                       "EGOV_RULES_LOGIN_MAX_FAILURES_PER_CLIENT", cls.login_max_failures_per_client, whole=True,
                       zero_is_off=True)))

    def display_db(self) -> str:
        """The database URL with any password hidden: this is what is printed and logged."""
        from sqlalchemy.engine import make_url

        return make_url(self.db_url).render_as_string(hide_password=True)
