"""Settings come from environment variables with the TONGCHOU_ prefix."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

DEFAULT_DATABASE_FILE = "tongchou.db"


def database_url() -> str:
    """The store: TONGCHOU_DATABASE_URL, or an SQLite file in the working directory."""
    url = os.environ.get("TONGCHOU_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"


def current_user() -> str:
    """Who is acting, for provenance: TONGCHOU_USER, else the login name."""
    user = os.environ.get("TONGCHOU_USER")
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
