"""A real SMTP server for the tests (aiosmtpd), on a private port of 127.0.0.1.

It keeps every message it accepts (`messages`, as email.message.EmailMessage) and can
be told to refuse the next N messages with a temporary error (451), as a busy or
greylisting server does, so that the sender's retries are tried for real.
"""
from __future__ import annotations

import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_DATA(self, smtp_server, session, envelope):  # aiosmtpd calls it by this name
        with self.server.lock:
            if self.server.refuse_next > 0:
                self.server.refuse_next -= 1
                self.server.refused += 1
                return "451 4.3.0 Mailbox busy, try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.server.messages.append(message)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.port = _free_port()
        self.messages: list = []
        self.envelopes: list = []
        self.refuse_next = 0
        self.refused = 0
        self.lock = threading.Lock()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.envelopes.clear()
            self.refuse_next = self.refused = 0

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]
