"""Flask extension singletons, bound to the app in create_app()."""

from typing import Any

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import CursorResult, Executable

from app.models.base import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def execute_plain(statement: Executable, parameters: Any = None) -> CursorResult[Any]:
    """A Core statement on the session's connection, in its transaction, without the ORM's
    per-statement work (a third of the cost of a short statement). Pending objects are flushed
    first, as the session would. Hot paths keep their statements built once, with bind
    parameters: building one and its cache key costs more than running it."""
    if db.session.autoflush:
        db.session.flush()
    return db.session.connection().execute(statement, parameters)
