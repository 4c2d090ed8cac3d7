#!/usr/bin/env python3
"""Writes orders.jsonl: an order saga recording with a few hundred flows, for the CLI
tests and the README. Deterministic (fixed seed); run it again to regenerate.

What it holds, by construction:
- 300 flows (correlationId = the order.placed eventId), started 400 ms apart;
- ~70 % succeed: order.placed → inventory.reserved → payment.authorized →
  shipment.scheduled → notification.sent, plus analytics.recorded from order.placed;
- ~20 % fail payment: … payment.failed → stock.released + order.cancelled (compensation);
- ~10 % lack stock: order.placed → stock.insufficient → order.rejected;
- every 4th order.placed is caused by a checkout command that is not in the file
  (an unseen cause); every 10th order is placed with schema v2;
- the shipping-service host runs 80 ms slow: some shipment.scheduled stamps come out
  before their cause (clock skew);
- every 25th payment event is delivered twice (a redelivery);
- three corrupt lines (bad timestamp, missing source, not JSON).
"""
import json, random, uuid, datetime

rng = random.Random(20261126)
def uid():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))

t0 = datetime.datetime(2026, 3, 2, 9, 0, 0, tzinfo=datetime.timezone.utc)
def stamp(ms):
    t = t0 + datetime.timedelta(milliseconds=ms)
    return t.strftime('%Y-%m-%dT%H:%M:%S.') + f'{t.microsecond // 1000:03d}Z'

out = []
def emit(ms, etype, source, corr, cause, data, version=1, meta=None):
    e = {"eventId": uid(), "eventType": etype, "eventVersion": version, "timestamp": stamp(ms),
         "source": source, "correlationId": corr}
    if cause:
        e["causationId"] = cause
    e["data"] = data
    if meta:
        e["metadata"] = meta
    out.append((ms, json.dumps(e, separators=(',', ':'))))
    return e

payments = 0
for n in range(300):
    start = n * 400 + rng.randint(0, 50)
    order = f"ORD-{1000 + n}"
    root_id = uid()
    cause = f"cmd-checkout-{n}" if n % 4 == 0 else None
    version = 2 if n % 10 == 9 else 1
    data = {"orderId": order, "customerId": f"CUST-{rng.randint(1, 80)}", "total": round(rng.uniform(5, 400), 2)}
    if version == 2:
        data["currency"] = "EUR"
    placed = {"eventId": root_id, "eventType": "order.placed", "eventVersion": version, "timestamp": stamp(start),
              "source": "order-service", "correlationId": root_id}
    if cause:
        placed["causationId"] = cause
    placed["data"] = data
    placed["metadata"] = {"traceparent": f"00-{uid().replace('-', '')}-{uid().replace('-', '')[:16]}-01"}
    out.append((start, json.dumps(placed, separators=(',', ':'))))
    corr = root_id
    emit(start + rng.randint(2, 20), "analytics.recorded", "analytics-service", corr, root_id, {"orderId": order})

    fate = rng.random()
    t = start + rng.randint(10, 60)
    if fate < 0.10:
        short = emit(t, "stock.insufficient", "inventory-service", corr, root_id, {"orderId": order, "sku": f"SKU-{rng.randint(1, 40)}"})
        emit(t + rng.randint(5, 30), "order.rejected", "order-service", corr, short["eventId"], {"orderId": order, "reason": "out of stock"})
        continue
    reserved = emit(t, "inventory.reserved", "inventory-service", corr, root_id, {"orderId": order, "sku": f"SKU-{rng.randint(1, 40)}"})
    t += rng.randint(40, 400)
    payments += 1
    if fate < 0.30:
        failed = emit(t, "payment.failed", "payment-service", corr, reserved["eventId"], {"orderId": order, "reason": "card declined"})
        if payments % 25 == 0:
            out.append((t + 1, out[-1][1]))  # the broker delivered it twice
        emit(t + rng.randint(5, 40), "stock.released", "inventory-service", corr, failed["eventId"], {"orderId": order})
        emit(t + rng.randint(5, 40), "order.cancelled", "order-service", corr, failed["eventId"], {"orderId": order})
        continue
    paid = emit(t, "payment.authorized", "payment-service", corr, reserved["eventId"], {"orderId": order, "amount": data["total"]})
    if payments % 25 == 0:
        out.append((t + 1, out[-1][1]))
    lag = rng.randint(20, 150)
    shipped = emit(t + lag - 80, "shipment.scheduled", "shipping-service", corr, paid["eventId"], {"orderId": order, "carrier": rng.choice(["DHL", "UPS", "PostNL"])})
    emit(t + lag + rng.randint(5, 60), "notification.sent", "notification-service", corr, shipped["eventId"], {"orderId": order, "channel": "email"})

out.sort(key=lambda x: x[0])
lines = [l for _, l in out]
lines.insert(120, '{"eventId":"bad-1","eventType":"order.placed","timestamp":"2026-03-02 09:00:48","source":"order-service","correlationId":"x"}')
lines.insert(640, '{"eventId":"bad-2","eventType":"payment.authorized","timestamp":"2026-03-02T09:04:10.000Z","correlationId":"y"}')
lines.insert(1100, '{"eventId":"bad-3","eventType":')
with open('orders.jsonl', 'w') as f:
    f.write('\n'.join(lines) + '\n')
