"""smtp_sink.py - a local SMTP server for the e-mail tests (Debian's python3-aiosmtpd).

usage: /usr/bin/python3 smtp_sink.py DIR
Listens on 127.0.0.1 at a free port, written to DIR/port once it accepts. Every message is
written to DIR/N.eml as received, and DIR/N.json as the tests read it: the envelope, the
headers as sent, the decoded subject and both parts of a multipart/alternative body.
"""
import email
import email.policy
import json
import os
import socket
import sys
import time

from aiosmtpd.controller import Controller

out = sys.argv[1]


def put(name, data):
    tmp = os.path.join(out, name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, os.path.join(out, name))


class Sink:
    n = 0

    async def handle_DATA(self, server, session, envelope):
        Sink.n += 1
        raw = envelope.original_content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        doc = {
            "mail_from": envelope.mail_from,
            "rcpt_to": envelope.rcpt_tos,
            "headers": {k: str(v) for k, v in email.message_from_bytes(raw).items()},
            "subject": str(msg["subject"]),
            "content_type": msg.get_content_type(),
            "text": None,
            "html": None,
        }
        for part in msg.walk():
            if part.get_content_type() == "text/plain":
                doc["text"] = part.get_content()
            elif part.get_content_type() == "text/html":
                doc["html"] = part.get_content()
        put("%d.eml" % Sink.n, raw)
        put("%d.json" % Sink.n, json.dumps(doc).encode())
        return "250 OK"


s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
c = Controller(Sink(), hostname="127.0.0.1", port=port)
c.start()
put("port", str(port).encode())
while True:
    time.sleep(3600)
