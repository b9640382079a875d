"""A real SMTP server for the tests (aiosmtpd), on a private port of 127.0.0.1.

It keeps every message it accepts (`messages`, as email.message.EmailMessage) and can
be told to refuse the next N messages with a temporary error (451), as a busy or
greylisting server does, so that the sender's retries are tried for real; or to answer
other replies a real server gives: `data_refusal` (the reply to DATA while
`refuse_next` lasts), `mail_from_refusal` (the reply to MAIL FROM), `recipient_refusals`
(address -> the reply to its RCPT TO: "550 5.1.1 ..." for an unknown mailbox). It
offers AUTH without TLS and takes the login `user`/`password` (a client that logs in
with another password gets "535 5.7.8 Authentication credentials invalid").
"""
from __future__ import annotations

import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

BUSY = "451 4.3.0 Mailbox busy, try again later"
USER, PASSWORD = b"trustfund", b"the-right-password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    right = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (USER, PASSWORD)
    return AuthResult(success=right, handled=False)  # not handled: the server answers 535 itself


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_MAIL(self, smtp_server, session, envelope, address, options):  # aiosmtpd's name
        with self.server.lock:
            if self.server.mail_from_refusal:
                return self.server.mail_from_refusal
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, smtp_server, session, envelope, address, options):  # aiosmtpd's name
        with self.server.lock:
            refusal = self.server.recipient_refusals.get(address.lower())
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, smtp_server, session, envelope):  # aiosmtpd calls it by this name
        with self.server.lock:
            if self.server.refuse_next > 0:
                self.server.refuse_next -= 1
                self.server.refused += 1
                return self.server.data_refusal
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
        self.data_refusal = BUSY
        self.mail_from_refusal = ""
        self.recipient_refusals: dict[str, str] = {}
        self.lock = threading.Lock()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                     authenticator=_authenticate, auth_require_tls=False)

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
            self.data_refusal, self.mail_from_refusal = BUSY, ""
            self.recipient_refusals.clear()

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]
