"""Optional e-mail copies of notifications, sent when TIJIAN_SMTP_HOST is configured.

Mail goes out after the transaction that created the notification has committed; a mail server
that is down is logged and never undoes or repeats the work."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, User, UserRole
from app.platform.regions import region_tree

log = logging.getLogger(__name__)

SUBJECTS = {
    "REMINDER": "到期提醒",
    "OVERDUE": "逾期督办",
    "INCIDENT": "异常事件",
    "EVENT": "外部事件",
}


def recipients(role: str, region_code: str) -> list[str]:
    """Addresses of active users holding `role` whose region covers `region_code`."""
    tree = region_tree()
    covering = []
    code: str | None = region_code
    while code is not None:
        covering.append(code)
        code = tree.parents.get(code)
    rows = db.session.execute(
        select(User.email)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == role,
            User.region_code.in_(covering),
            User.is_active.is_(True),
            User.email.is_not(None),
        )
    ).scalars()
    return sorted({address for address in rows if address})


def send(notifications: Iterable[Notification]) -> int:
    config = current_app.config
    if not config.get("SMTP_HOST"):
        return 0
    sent = 0
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
            for note in notifications:
                to = recipients(note.role, note.region_code)
                if not to:
                    continue
                message = EmailMessage()
                message["Subject"] = f"【体检】{SUBJECTS.get(note.kind, '通知')}"
                message["From"] = config["SMTP_FROM"]
                message["To"] = ", ".join(to)
                message.set_content(note.message)
                smtp.send_message(message)
                sent += 1
    except (OSError, smtplib.SMTPException):
        log.exception("could not send notification mail")
    return sent
