"""Flask extension singletons, bound to the app in create_app(), and two cheaper uses of the
session for hot paths."""

from typing import Any

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import CursorResult, Executable, inspect
from sqlalchemy.orm.attributes import set_committed_value

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


def commit_keeping(*objects: Any) -> None:
    """Commit, and keep what the objects held instead of expiring it: they are what this
    transaction wrote. Reading them again after the commit would take another connection from
    the pool and a round trip or two for rows nobody else has changed in between."""
    kept = []
    for obj in objects:
        state = inspect(obj)
        columns = state.mapper.column_attrs.keys()
        kept.append((obj, {key: state.dict[key] for key in columns if key in state.dict}))
    db.session.commit()
    for obj, values in kept:
        for key, value in values.items():
            set_committed_value(obj, key, value)
