#!/usr/bin/env python3
"""Writes lags.jsonl: a small recording whose reaction lags are known, for tst_lagtimelineview.
Deterministic; run it again to regenerate.

What it holds, by construction (times from 2026-11-26T10:00:00Z, lags effect − cause):
- inventory-service reacts to order.placed (inventory.reserved, caused by the order):
  - 20 reactions with effects in [10:00:00, 10:00:01), at 10 + 45 i ms, lags 10, 20, … 200 ms
    in a shuffled order: that second's p50 / p95 / p99 are 100 / 190 / 200 ms;
  - 20 reactions with effects in [10:00:01, 10:00:02), at 1 010 + 45 i ms, lags 50, 100, …
    1 000 ms, shuffled: p50 / p95 / p99 500 / 950 / 1 000 ms;
  - 1 skewed reaction: inv-skew stamped at 10:00:01.950, 30 ms before its cause o-skew;
- payment-service reacts to inventory.reserved (payment.authorized) 5 times, to inv-A-0 …
  inv-A-4, lags 0, 5, 10, 15, 20 ms; and to order.placed (payment.prechecked) twice, to
  o-A-0 and o-A-1, lags 300 and 400 ms;
- every order is a flow of its own: correlationId c-<order's suffix>.
"""
import json, random, datetime

rng = random.Random(6)
t0 = datetime.datetime(2026, 11, 26, 10, 0, 0, tzinfo=datetime.timezone.utc)
def stamp(ms):
    t = t0 + datetime.timedelta(milliseconds=ms)
    return t.strftime('%Y-%m-%dT%H:%M:%S.') + f'{t.microsecond // 1000:03d}Z'

events = []  # (ms, event)
def emit(ms, eid, etype, source, corr, cause=None):
    e = {"eventId": eid, "eventType": etype, "timestamp": stamp(ms), "source": source, "correlationId": corr}
    if cause:
        e["causationId"] = cause
    e["data"] = {}
    events.append((ms, e))

times = {}
for second, step in (("A", 10), ("B", 50)):
    lags = [step * (i + 1) for i in range(20)]
    rng.shuffle(lags)
    for i in range(20):
        effect = (10 if second == "A" else 1010) + 45 * i
        cause = effect - lags[i]
        emit(cause, f"o-{second}-{i}", "order.placed", "order-service", f"c-{second}-{i}")
        emit(effect, f"inv-{second}-{i}", "inventory.reserved", "inventory-service", f"c-{second}-{i}", f"o-{second}-{i}")
        times[f"o-{second}-{i}"] = cause
        times[f"inv-{second}-{i}"] = effect

emit(1980, "o-skew", "order.placed", "order-service", "c-skew")
emit(1950, "inv-skew", "inventory.reserved", "inventory-service", "c-skew", "o-skew")

for i, lag in enumerate((0, 5, 10, 15, 20)):
    emit(times[f"inv-A-{i}"] + lag, f"pay-A-{i}", "payment.authorized", "payment-service", f"c-A-{i}", f"inv-A-{i}")
for i, lag in enumerate((300, 400)):
    emit(times[f"o-A-{i}"] + lag, f"pre-A-{i}", "payment.prechecked", "payment-service", f"c-A-{i}", f"o-A-{i}")

events.sort(key=lambda p: p[0])  # stable: a cause stamped with its effect stays first
with open(__file__.replace("make_lags.py", "lags.jsonl"), "w") as f:
    for _, e in events:
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
