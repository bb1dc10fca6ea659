"""Faults shared by the test servers (s3_proxy.py, webhdfs_server.py)."""
from __future__ import annotations

import socket


def write_then_drop(handler, data: bytes, after: int):
    """Sends the first `after` bytes of a body whose full length was announced, then closes
    the connection: what a client sees when a connection drops in the middle of an object."""
    handler.wfile.write(data[:after])
    handler.wfile.flush()
    handler.close_connection = True
    try:
        handler.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
