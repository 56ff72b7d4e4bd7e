"""Minimal raw-socket HTTP/1.1 helpers for tests that must control the connection."""

import socket
import time


def connect(port, timeout=5.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def request_bytes(method, path, headers=None, body=b""):
    h = {"Host": "127.0.0.1"}
    h.update(headers or {})
    if body:
        h.setdefault("Content-Length", str(len(body)))
    lines = [f"{method} {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in h.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body

    def __repr__(self):
        return f"Response({self.status}, {self.headers}, {self.body[:200]!r})"


def read_response(sock, timeout=5.0):
    """Reads exactly one response (Content-Length or chunked) from sock. Raises
    ConnectionError when the peer closes before a full response, socket.timeout on timeout."""
    sock.settimeout(timeout)
    buf = b""

    def more():
        nonlocal buf
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed after {len(buf)} bytes: {buf[:200]!r}")
        buf += chunk

    while b"\r\n\r\n" not in buf:
        more()
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            while b"\r\n" not in buf:
                more()
            size_line, buf = buf.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(buf) < size + 2:
                more()
            body += buf[:size]
            buf = buf[size + 2 :]
            if size == 0:
                break
    else:
        n = int(headers.get("content-length", "0"))
        while len(buf) < n:
            more()
        body = buf[:n]
    return Response(status, headers, body)


def closed_by_peer(sock, timeout):
    """Waits up to timeout seconds; True when the peer closed (EOF or reset), False when the
    connection is still open at the end. Data received meanwhile is ignored."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True
        if not data:
            return True
