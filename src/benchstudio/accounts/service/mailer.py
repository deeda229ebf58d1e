"""Outgoing mail for password resets: SMTP when configured, the console in dev mode."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol

from benchstudio.config import Environment, Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    async def send(self, mail: OutgoingMail) -> None: ...


@dataclass
class SmtpMailer:
    host: str
    port: int
    sender: str
    username: str | None
    password: str
    starttls: bool

    def _send_blocking(self, mail: OutgoingMail) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, mail.to, mail.subject
        message.set_content(mail.body)
        with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)

    async def send(self, mail: OutgoingMail) -> None:
        try:
            await asyncio.to_thread(self._send_blocking, mail)
        except (OSError, smtplib.SMTPException) as exc:
            # The body holds a reset link: never log it, only that sending failed.
            log.warning("mail delivery failed", extra={"error": type(exc).__name__})


class ConsoleMailer:
    """Dev mode: print the mail to the server console (not to the log, which may be shipped)."""

    async def send(self, mail: OutgoingMail) -> None:
        print(f"\n--- mail to {mail.to}: {mail.subject} ---\n{mail.body}\n---", file=sys.stderr)


class DroppingMailer:
    """No mail configured outside dev mode: say so without the content."""

    async def send(self, mail: OutgoingMail) -> None:
        log.warning("no SMTP server configured; mail not sent", extra={"subject": mail.subject})


@dataclass
class CapturingMailer:
    """For tests: keeps every mail."""

    sent: list[OutgoingMail] = field(default_factory=list)

    async def send(self, mail: OutgoingMail) -> None:
        self.sent.append(mail)


def mailer_from_settings(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value(),
            starttls=settings.smtp_starttls,
        )
    if settings.env is Environment.DEV:
        return ConsoleMailer()
    return DroppingMailer()
