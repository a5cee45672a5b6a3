"""A WebSocket peer for the interop tests, on Python's `websockets` (an implementation
independent of ours), plain and over TLS.

Usage: ws_server.py PLAIN_PORT TLS_PORT PING_PORT CERT KEY

Paths:
  /echo        sends every message back as it came (text or binary)
  /headers     sends one text message: a JSON object of the handshake's headers, then echoes
  /close       after one message, closes with code 4001 and reason "bye"
  /big         sends one 2 MiB text message
  /auth        refuses the handshake with 401 unless Basic user:pass is given, then echoes
  /setcookie   sets the cookie ws-session=abc on its 101 answer, then echoes
  /flood       sends 64 KiB binary messages, up to 2000, as fast as the client takes them
  /flood-count sends how many messages the last /flood got out, as text
Subprotocols chat.v1 and chat.v2 are chosen when offered. The server pings every 0.2 s; on
PING_PORT it closes a client that has not answered a ping within 8 s.
"""
import asyncio
import base64
import json
import os
import ssl
import sys

from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response

flood = {"sent": 0}
PAYLOAD = os.urandom(64 << 10)


def select_subprotocol(connection, offered):
    for protocol in offered:
        if protocol in ("chat.v1", "chat.v2"):
            return protocol
    return None


def process_request(connection, request):
    if request.path == "/auth":
        expected = "Basic " + base64.b64encode(b"user:pass").decode()
        if request.headers.get("Authorization") != expected:
            return Response(
                401, "Unauthorized",
                Headers([("WWW-Authenticate", 'Basic realm="ws"'), ("Content-Type", "text/plain")]),
                b"credentials required\n")
    return None


def process_response(connection, request, response):
    if request.path == "/setcookie":
        response.headers["Set-Cookie"] = "ws-session=abc; Path=/"
    return response


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def handler(ws):
    path = ws.request.path
    if path == "/headers":
        await ws.send(json.dumps({name: value for name, value in ws.request.headers.raw_items()}))
        await echo(ws)
    elif path == "/close":
        await ws.recv()
        await ws.close(4001, "bye")
    elif path == "/big":
        await ws.send("x" * (2 << 20))
        await echo(ws)
    elif path == "/flood":
        flood["sent"] = 0
        for _ in range(2000):
            await ws.send(PAYLOAD)
            flood["sent"] += 1
    elif path == "/flood-count":
        await ws.send(str(flood["sent"]))
    else:
        await echo(ws)


async def main():
    plain_port, tls_port, ping_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    cert, key = sys.argv[4], sys.argv[5]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    options = dict(
        select_subprotocol=select_subprotocol, process_request=process_request,
        process_response=process_response, ping_interval=0.2, ping_timeout=10, max_size=4 << 20)
    strict = dict(options, ping_timeout=8)
    async with serve(handler, "127.0.0.1", plain_port, **options), \
            serve(handler, "127.0.0.1", tls_port, ssl=context, **options), \
            serve(handler, "127.0.0.1", ping_port, **strict):
        await asyncio.get_running_loop().create_future()


asyncio.run(main())
