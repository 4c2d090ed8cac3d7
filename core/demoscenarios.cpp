// The demo's two scenarios, as the service specs DemoService runs: the order saga (order,
// inventory, payment, shipping, notification and analytics services, with fraud and
// loyalty as optional consumers) and logistics (couriers' package scans through
// warehouse, truck and delivery, with tracking, notification, billing and analytics
// consumers, and eta and customs as optional ones). Each includes a v2 producer for the
// schema rollout. Here too are the data helpers only the scenarios use (reading an order
// or a tracking id from v1 and v2 payloads). demoScenario() hands a scenario's specs to
// DemoSystem (demo.cpp).
#include "core/demoservice.h"

#include "core/rfc3339.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace eventlens::demo_detail {

namespace {

double round2(double v)
{
    return std::round(v * 100) / 100;
}

/// An order as inventory, payment and the others read it from order.placed, whichever
/// schema version published it.
struct Order {
    std::string orderId, customerId, sku;
    int quantity = 1;
    double amount = 0;
};

/// The member `name` of an object, or an empty object.
const Json &member(const Json &object, const char *name)
{
    static const Json empty = Json::object();
    const auto it = object.find(name);
    return it != object.end() ? *it : empty;
}

Order orderOf(const Json &data)
{
    Order o;
    if (!data.is_object())
        return o;
    o.orderId = stringField(data, "orderId");
    if (data.contains("items")) { // v2: customer object, item list, money object
        if (const Json &customer = member(data, "customer"); customer.is_object())
            o.customerId = stringField(customer, "id");
        if (const Json &items = member(data, "items"); items.is_array() && !items.empty() && items[0].is_object()) {
            o.sku = stringField(items[0], "sku");
            o.quantity = intField(items[0], "quantity", 1, 1, 1000);
        }
        if (const Json &total = member(data, "total"); total.is_object())
            o.amount = numberField(total, "amount", 0);
    } else { // v1: flat
        o.customerId = stringField(data, "customerId");
        o.sku = stringField(data, "sku");
        o.quantity = intField(data, "quantity", 1, 1, 1000);
        o.amount = numberField(data, "total", 0);
    }
    return o;
}

/// A package's tracking id, from a v1 or a v2 scan.
std::string trackingOf(const Json &data)
{
    return data.is_object() ? stringField(data, "trackingId") : std::string();
}

// --- the scenarios ----------------------------------------------------------------------

DemoSystem::ServiceInfo info(std::string name, std::vector<std::string> reactsTo, std::vector<std::string> publishes,
                             std::string source = {})
{
    DemoSystem::ServiceInfo i;
    i.source = source.empty() ? name : std::move(source);
    i.name = std::move(name);
    i.reactsTo = std::move(reactsTo);
    i.publishes = std::move(publishes);
    return i;
}

const char *const kCarriers[] = {"DHL", "UPS", "PostNL", "DPD"};
const char *const kHubs[] = {"AMS-1", "RTM-2", "UTR-1", "EIN-3"};
const char *const kCouriers[] = {"Ada", "Bram", "Chen", "Dora", "Emre"};

Root orderPlaced(DemoService &s, uint64_t flow, int version)
{
    const std::string orderId = "ORD-" + std::to_string(1000 + flow);
    const std::string customer = "CUST-" + std::to_string(s.between(1, 200));
    const std::string sku = "SKU-" + std::to_string(s.between(1, 40));
    const int quantity = s.between(1, 3);
    const double price = round2(s.uniform(5, 120));
    Json data;
    data["orderId"] = orderId;
    if (version == 1) {
        data["customerId"] = customer;
        data["sku"] = sku;
        data["quantity"] = quantity;
        data["total"] = round2(price * quantity);
    } else { // v2: the customer as an object, a list of items, money with its currency
        data["customer"] = {{"id", customer}, {"tier", s.chance(0.2) ? "gold" : "standard"}};
        data["items"] = Json::array({{{"sku", sku}, {"quantity", quantity}, {"unitPrice", price}}});
        data["total"] = {{"amount", round2(price * quantity)}, {"currency", "EUR"}};
    }
    return {"order.placed", std::move(data)};
}

std::vector<ServiceSpec> orderSaga()
{
    std::vector<ServiceSpec> specs;
    auto add = [&](DemoSystem::ServiceInfo i) -> ServiceSpec & {
        specs.push_back({std::move(i), 0, {}, {}});
        return specs.back();
    };

    // The order service places orders (the flows' roots) and cancels them when stock is
    // short or stock has been released after a failed payment.
    ServiceSpec &order =
        add(info("order-service", {"stock.insufficient", "stock.released"}, {"order.placed", "order.cancelled"}));
    order.info.producer = true;
    order.rootVersion = 1;
    order.root = [](DemoService &s, uint64_t flow) { return orderPlaced(s, flow, 1); };
    order.react = [](DemoService &s, const Incoming &in) {
        const std::string orderId = stringField(in.data, "orderId");
        if (in.eventType == "stock.insufficient")
            s.react(in, "order.cancelled", {{"orderId", orderId}, {"reason", "out of stock"}});
        else if (in.eventType == "stock.released")
            s.react(in, "order.cancelled", {{"orderId", orderId}, {"reason", "payment declined"}});
    };
    // The schema v2 rollout: a new version of the order service, publishing as
    // order-service, places its share of the orders with eventVersion 2.
    ServiceSpec &order2 = add(info("order-service-v2", {}, {"order.placed"}, "order-service"));
    order2.info.producer = true;
    order2.rootVersion = 2;
    order2.root = [](DemoService &s, uint64_t flow) { return orderPlaced(s, flow, 2); };

    // Inventory reserves stock (or has too little) and releases it when payment fails.
    struct Reservation {
        std::string sku;
        int quantity;
    };
    auto reservations = std::make_shared<std::unordered_map<std::string, Reservation>>();
    add(info("inventory-service", {"order.placed", "payment.failed"},
             {"inventory.reserved", "stock.insufficient", "stock.released"}))
        .react = [reservations](DemoService &s, const Incoming &in) {
        if (in.eventType == "order.placed") {
            const Order o = orderOf(in.data);
            // Half of the failing flows end here: P(short) = failureRate / 2.
            if (s.chance(s.knobs().failureRate / 2)) {
                s.countFailure();
                s.react(in, "stock.insufficient",
                        {{"orderId", o.orderId},
                         {"sku", o.sku},
                         {"requested", o.quantity},
                         {"available", s.between(0, o.quantity - 1)}});
                return;
            }
            if (reservations->size() > 100000)
                reservations->clear(); // a demo, not a warehouse: forget old orders
            (*reservations)[o.orderId] = {o.sku, o.quantity};
            s.react(in, "inventory.reserved",
                    {{"orderId", o.orderId},
                     {"sku", o.sku},
                     {"quantity", o.quantity},
                     {"amount", o.amount},
                     {"warehouse", s.pick(kHubs)}});
        } else if (in.eventType == "payment.failed") {
            const std::string orderId = stringField(in.data, "orderId");
            const auto it = reservations->find(orderId);
            Json data = {{"orderId", orderId}};
            if (it != reservations->end()) {
                data["sku"] = it->second.sku;
                data["quantity"] = it->second.quantity;
                reservations->erase(it);
            }
            s.react(in, "stock.released", std::move(data));
        }
    };

    // Payment authorizes the reserved order's amount, or the card is declined.
    add(info("payment-service", {"inventory.reserved"}, {"payment.authorized", "payment.failed"})).react =
        [](DemoService &s, const Incoming &in) {
            const std::string orderId = stringField(in.data, "orderId");
            const double amount = numberField(in.data, "amount", 0);
            // The other half: P(declined | reserved) = f / (2 − f), so f of all flows fail.
            const double f = s.knobs().failureRate;
            if (s.chance(f / (2 - f))) {
                s.countFailure();
                s.react(in, "payment.failed", {{"orderId", orderId}, {"amount", amount}, {"reason", "card declined"}});
            } else {
                s.react(in, "payment.authorized",
                        {{"orderId", orderId}, {"amount", amount}, {"method", s.chance(0.3) ? "paypal" : "card"}});
            }
        };

    add(info("shipping-service", {"payment.authorized"}, {"shipment.scheduled"})).react = [](DemoService &s,
                                                                                             const Incoming &in) {
        s.react(in, "shipment.scheduled",
                {{"orderId", stringField(in.data, "orderId")},
                 {"carrier", s.pick(kCarriers)},
                 {"trackingId", "TRK-" + std::to_string(s.between(100000, 999999))}});
    };

    add(info("notification-service", {"shipment.scheduled", "order.cancelled"}, {"notification.sent"})).react =
        [](DemoService &s, const Incoming &in) {
            s.react(in, "notification.sent",
                    {{"orderId", stringField(in.data, "orderId")},
                     {"channel", s.chance(0.7) ? "email" : "sms"},
                     {"template", in.eventType == "order.cancelled" ? "order-cancelled" : "order-shipped"}});
        };

    add(info("analytics-service", {"order.placed"}, {"analytics.recorded"})).react = [](DemoService &s,
                                                                                        const Incoming &in) {
        const Order o = orderOf(in.data);
        s.react(in, "analytics.recorded",
                {{"orderId", o.orderId}, {"metric", "orders.placed"}, {"value", o.amount}, {"schema", in.version}});
    };

    // Optional consumers, added while the demo runs.
    ServiceSpec &fraud = add(info("fraud-service", {"order.placed"}, {"fraud.checked"}));
    fraud.info.optional = true;
    fraud.react = [](DemoService &s, const Incoming &in) {
        const Order o = orderOf(in.data);
        const double score = round2(s.uniform(0, 1) * (o.amount > 200 ? 1 : 0.4));
        s.react(in, "fraud.checked",
                {{"orderId", o.orderId}, {"score", score}, {"verdict", score > 0.8 ? "review" : "pass"}});
    };
    ServiceSpec &loyalty = add(info("loyalty-service", {"payment.authorized"}, {"loyalty.awarded"}));
    loyalty.info.optional = true;
    loyalty.react = [](DemoService &s, const Incoming &in) {
        s.react(
            in, "loyalty.awarded",
            {{"orderId", stringField(in.data, "orderId")}, {"points", intField(in.data, "amount", 0, 0, 1'000'000)}});
    };
    return specs;
}

Root packageScanned(DemoService &s, uint64_t flow, int version)
{
    char tracking[32];
    std::snprintf(tracking, sizeof tracking, "PKG%08llu", static_cast<unsigned long long>(flow));
    const double weight = round2(s.uniform(0.2, 25));
    const char *depot = s.pick(kHubs);
    Json data;
    data["trackingId"] = tracking;
    if (version == 1) {
        data["stage"] = "pickup";
        data["location"] = depot;
        data["weightKg"] = weight;
    } else { // v2: the scan as an object with a geo position, weight with its unit
        data["scan"] = {
            {"stage", "pickup"},
            {"location", {{"code", depot}, {"lat", round2(s.uniform(51, 53))}, {"lon", round2(s.uniform(4, 6))}}}};
        data["weight"] = {{"value", weight}, {"unit", "kg"}};
    }
    return {"package.scanned", std::move(data)};
}

std::vector<ServiceSpec> logistics()
{
    std::vector<ServiceSpec> specs;
    auto add = [&](DemoSystem::ServiceInfo i) -> ServiceSpec & {
        specs.push_back({std::move(i), 0, {}, {}});
        return specs.back();
    };

    // Couriers' handhelds scan parcels at pickup: the flows' roots.
    ServiceSpec &courier = add(info("courier-app", {}, {"package.scanned"}));
    courier.info.producer = true;
    courier.rootVersion = 1;
    courier.root = [](DemoService &s, uint64_t flow) { return packageScanned(s, flow, 1); };
    ServiceSpec &courier2 = add(info("courier-app-v2", {}, {"package.scanned"}, "courier-app"));
    courier2.info.producer = true;
    courier2.rootVersion = 2;
    courier2.root = [](DemoService &s, uint64_t flow) { return packageScanned(s, flow, 2); };

    // The scan chain: warehouse → truck → out for delivery → delivered (or not).
    add(info("warehouse-service", {"package.scanned", "delivery.failed"}, {"package.arrived", "package.returned"}))
        .react = [](DemoService &s, const Incoming &in) {
        const std::string id = trackingOf(in.data);
        if (in.eventType == "package.scanned")
            s.react(in, "package.arrived", {{"trackingId", id}, {"stage", "warehouse"}, {"hub", s.pick(kHubs)}});
        else if (in.eventType == "delivery.failed")
            s.react(in, "package.returned", {{"trackingId", id}, {"hub", s.pick(kHubs)}});
    };
    add(info("linehaul-service", {"package.arrived"}, {"package.loaded"})).react = [](DemoService &s,
                                                                                      const Incoming &in) {
        s.react(in, "package.loaded",
                {{"trackingId", trackingOf(in.data)},
                 {"stage", "truck"},
                 {"truck", "TRUCK-" + std::to_string(s.between(1, 30))}});
    };
    add(info("delivery-service", {"package.loaded", "package.out-for-delivery"},
             {"package.out-for-delivery", "package.delivered", "delivery.failed"}))
        .react = [](DemoService &s, const Incoming &in) {
        const std::string id = trackingOf(in.data);
        if (in.eventType == "package.loaded") {
            s.react(in, "package.out-for-delivery",
                    {{"trackingId", id}, {"stage", "out-for-delivery"}, {"courier", s.pick(kCouriers)}});
        } else if (in.eventType == "package.out-for-delivery") {
            if (s.chance(s.knobs().failureRate)) {
                s.countFailure();
                s.react(in, "delivery.failed", {{"trackingId", id}, {"reason", "nobody home"}});
            } else {
                s.react(in, "package.delivered",
                        {{"trackingId", id},
                         {"stage", "delivered"},
                         {"signedBy", s.chance(0.5) ? "recipient" : "neighbour"}});
            }
        }
    };

    // Many consumers react to the scans.
    add(info("tracking-service", {"package."}, {"tracking.updated"})).react = [](DemoService &s, const Incoming &in) {
        const std::string status =
            in.eventType.starts_with("package.") ? in.eventType.substr(std::strlen("package.")) : in.eventType;
        s.react(in, "tracking.updated", {{"trackingId", trackingOf(in.data)}, {"status", status}});
    };
    add(info("notification-service", {"package.out-for-delivery", "package.delivered", "delivery.failed"},
             {"customer.notified"}))
        .react = [](DemoService &s, const Incoming &in) {
        const char *message = in.eventType == "package.delivered" ? "Your parcel was delivered"
                              : in.eventType == "delivery.failed" ? "We missed you; we will try again"
                                                                  : "Your parcel arrives today";
        s.react(
            in, "customer.notified",
            {{"trackingId", trackingOf(in.data)}, {"channel", s.chance(0.6) ? "sms" : "push"}, {"message", message}});
    };
    add(info("billing-service", {"package.delivered"}, {"invoice.issued"})).react = [](DemoService &s,
                                                                                       const Incoming &in) {
        s.react(in, "invoice.issued", {{"trackingId", trackingOf(in.data)}, {"amount", round2(s.uniform(3, 15))}});
    };
    add(info("analytics-service", {"package.scanned", "package.delivered"}, {"analytics.recorded"})).react =
        [](DemoService &s, const Incoming &in) {
            s.react(in, "analytics.recorded",
                    {{"trackingId", trackingOf(in.data)}, {"metric", in.eventType}, {"schema", in.version}});
        };

    // Optional consumers.
    ServiceSpec &eta = add(info("eta-service", {"package.loaded", "package.out-for-delivery"}, {"eta.updated"}));
    eta.info.optional = true;
    eta.react = [](DemoService &s, const Incoming &in) {
        const int64_t hours = in.eventType == "package.loaded" ? s.between(12, 36) : s.between(1, 6);
        s.react(in, "eta.updated",
                {{"trackingId", trackingOf(in.data)},
                 {"eta", formatRfc3339(nowUtcNs() + hours * 3600 * 1'000'000'000ll, 0)}});
    };
    ServiceSpec &customs = add(info("customs-service", {"package.arrived"}, {"customs.cleared"}));
    customs.info.optional = true;
    customs.react = [](DemoService &s, const Incoming &in) {
        s.react(in, "customs.cleared",
                {{"trackingId", trackingOf(in.data)}, {"declaration", "DEC-" + std::to_string(s.between(1000, 9999))}});
    };
    return specs;
}

} // namespace

std::vector<ServiceSpec> demoScenario(DemoSystem::Scenario scenario)
{
    return scenario == DemoSystem::Scenario::OrderSaga ? orderSaga() : logistics();
}

} // namespace eventlens::demo_detail
