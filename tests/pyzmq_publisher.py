#!/usr/bin/python3
"""Publishes N contract events to a ZeroMQ endpoint with pyzmq (Debian's python3-zmq): a
producer written with another ZeroMQ binding, for tst_cli. It waits for the first
subscription (an XPUB socket sees it) so no event is lost to the slow-joiner problem.

usage: pyzmq_publisher.py ENDPOINT COUNT
"""
import json
import sys

import zmq

endpoint, count = sys.argv[1], int(sys.argv[2])
ctx = zmq.Context()
pub = ctx.socket(zmq.XPUB)
pub.setsockopt(zmq.LINGER, 2000)
pub.connect(endpoint)
if not pub.poll(10000):
    sys.exit("nobody subscribed within 10 s")
pub.recv()  # the subscription
for i in range(count):
    event = {
        "eventId": f"py-{i}",
        "eventType": "package.scanned",
        "eventVersion": 1,
        "timestamp": f"2026-03-02T10:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}+01:00",
        "source": "python-scanner",
        "correlationId": f"pkg-{i // 5}",
        "data": {"scan": i, "note": "naïve ünïcode"},
    }
    if i % 5:
        event["causationId"] = f"py-{i - 1}"
    pub.send_multipart([b"package.scanned", json.dumps(event, ensure_ascii=False).encode()])
pub.close()
ctx.term()
