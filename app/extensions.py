"""Flask extension singletons, bound to the app in create_app(), and cheaper uses of the
session for hot paths (plain statements, commits that keep what they wrote, rows by key)."""

from functools import cache
from typing import Any, TypeVar

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import CursorResult, Executable, Select, bindparam, inspect, select
from sqlalchemy.orm.attributes import set_committed_value

from app.models.base import Base

Model = TypeVar("Model", bound=Base)

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
    """Commit, and keep what the objects held instead of expiring it (their columns, and the
    references among them): they are what this transaction wrote. Reading them again after the
    commit would take another connection from the pool and a round trip or two for rows nobody
    else has changed in between."""
    kept = []
    ids = {id(obj) for obj in objects}
    for obj in objects:
        state = inspect(obj)
        columns = state.mapper.column_attrs.keys()
        values = {key: state.dict[key] for key in columns if key in state.dict}
        # and their references to one another (a case keeps its kept party)
        for key in state.mapper.relationships.keys():
            if id(state.dict.get(key)) in ids:
                values[key] = state.dict[key]
        kept.append((obj, values))
    db.session.commit()
    for obj, values in kept:
        for key, value in values.items():
            set_committed_value(obj, key, value)


def transaction_memo(name: str) -> dict[Any, Any]:
    """A dict kept in the session for its current transaction only (a new transaction finds it
    empty): what one step has read and a later part of the same step needs again."""
    transaction = db.session().get_transaction()
    kept = db.session.info.get(name)
    if kept is None or kept[0] is not transaction:
        kept = db.session.info[name] = (transaction, {})
    memo: dict[Any, Any] = kept[1]
    return memo


def load_row(model: type[Model], key: object) -> Model | None:
    """`session.get` for hot paths: a row the session does not hold yet is read with a
    statement built once (`session.get` builds its own on every call and costs three times as
    much)."""
    if inspect(model).identity_key_from_primary_key((key,)) in db.session.identity_map:
        return db.session.get(model, key)
    return db.session.execute(_by_key(model), {"key": key}).scalar_one_or_none()


@cache
def _by_key(model: type[Base]) -> Select[Any]:
    return select(model).where(inspect(model).primary_key[0] == bindparam("key"))
