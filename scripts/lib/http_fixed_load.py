#!/usr/bin/env python3
"""A fixed number of HTTP requests to ledgerd on one keep-alive connection (scripts/bench-allocs).

Usage: http_fixed_load.py PORT KIND COUNT TOKENS_FILE
  KIND balance: GET /api/wallet/; debit: POST /api/wallet/pay/ {"amount":"0.01","service":
  "marketing"} (as tools/wrk/ledger_balance.lua and ledger_debit.lua send them), with the bearer
tokens of TOKENS_FILE round robin. Exits non-zero at the first answer that is not 200 (balance)
or 201 (debit): a count of requests that failed would not be the count asked for.
"""
import socket
import sys

DEBIT_BODY = b'{"amount":"0.01","service":"marketing"}'


class Connection:
    def __init__(self, port):
        self.socket = socket.create_connection(("127.0.0.1", port))
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = b""

    def receive(self):
        chunk = self.socket.recv(65536)
        if not chunk:
            raise SystemExit("ledgerd closed the connection")
        self.pending += chunk

    def answer(self):
        """The next answer's status and body (answers carry Content-Length)."""
        while b"\r\n\r\n" not in self.pending:
            self.receive()
        head, _, self.pending = self.pending.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(self.pending) < length:
            self.receive()
        body, self.pending = self.pending[:length], self.pending[length:]
        return status, body


def request(port, kind, token):
    if kind == "balance":
        return (f"GET /api/wallet/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: Bearer {token}\r\n\r\n").encode(), 200
    return (f"POST /api/wallet/pay/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(DEBIT_BODY)}\r\n\r\n").encode() + DEBIT_BODY, 201


def main():
    port, kind, count, tokens_file = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if kind not in ("balance", "debit"):
        raise SystemExit(__doc__)
    tokens = [line.strip() for line in open(tokens_file) if line.strip()]
    connection = Connection(port)
    for i in range(count):
        text, expected = request(port, kind, tokens[i % len(tokens)])
        connection.socket.sendall(text)
        status, body = connection.answer()
        if status != expected:
            raise SystemExit(f"request {i}: {status} {body[:200]!r}")


if __name__ == "__main__":
    main()
