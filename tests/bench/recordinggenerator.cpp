#include "recordinggenerator.h"

#include "core/rfc3339.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

namespace eventlens::bench {

namespace {

/// xoshiro256** seeded through splitmix64. Hand-rolled because the std:: distributions
/// differ between standard libraries, and the file must be the same everywhere.
class Rng {
public:
    explicit Rng(uint64_t seed)
    {
        for (uint64_t &s : m_s) {
            seed += 0x9E3779B97F4A7C15ULL;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            s = z ^ (z >> 31);
        }
    }
    uint64_t next()
    {
        const uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }
    /// Uniform in [0, n) (the modulo bias is irrelevant at these sizes).
    uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
    uint32_t between(uint32_t lo, uint32_t hi) { return lo + below(hi - lo + 1); }
    bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::array<uint64_t, 4> m_s {};
};

enum Source : uint8_t {
    OrderSvc,
    InventorySvc,
    PaymentSvc,
    FraudSvc,
    BillingSvc,
    ShippingSvc,
    NotificationSvc,
    AnalyticsSvc,
    ScannerSvc,
    SortingSvc,
    RouteSvc,
    DeliverySvc,
    WarehouseSvc,
    CustomerSvc,
    AuditSvc,
    SourceCount,
};

constexpr std::array<std::string_view, SourceCount> kSources = {
    "order-service",
    "inventory-service",
    "payment-service",
    "fraud-service",
    "billing-service",
    "shipping-service",
    "notification-service",
    "analytics-service",
    "package-scanner",
    "sorting-service",
    "route-planner",
    "delivery-service",
    "warehouse-service",
    "customer-service",
    "audit-service",
};

/// Services whose runtimes print microseconds; the others print milliseconds.
bool printsMicroseconds(Source s)
{
    return s == PaymentSvc || s == ScannerSvc || s == SortingSvc || s == RouteSvc || s == DeliverySvc;
}

enum class Payload : uint8_t { Order, Package, Customer };

struct EventType {
    std::string_view name;
    Source source;
    Payload payload;
    std::string_view reason; ///< failures say why (in `data`)
    bool v2Rollout; ///< schema v2 is being rolled out for this type
};

// clang-format off
constexpr std::array<EventType, 40> kTypes = {{
    /* 0 */ {"order.placed", OrderSvc, Payload::Order, {}, true},
    /* 1 */ {"order.confirmed", OrderSvc, Payload::Order, {}, false},
    /* 2 */ {"order.cancelled", OrderSvc, Payload::Order, "customer request", false},
    /* 3 */ {"order.completed", OrderSvc, Payload::Order, {}, false},
    /* 4 */ {"inventory.reserved", InventorySvc, Payload::Order, {}, false},
    /* 5 */ {"inventory.released", InventorySvc, Payload::Order, {}, false},
    /* 6 */ {"inventory.out-of-stock", InventorySvc, Payload::Order, "no stock in any warehouse", false},
    /* 7 */ {"payment.authorized", PaymentSvc, Payload::Order, {}, true},
    /* 8 */ {"payment.captured", PaymentSvc, Payload::Order, {}, false},
    /* 9 */ {"payment.failed", PaymentSvc, Payload::Order, R"(card declined: \"do not honor\")", false},
    /*10 */ {"payment.refunded", PaymentSvc, Payload::Order, {}, false},
    /*11 */ {"fraud.check-passed", FraudSvc, Payload::Order, {}, false},
    /*12 */ {"fraud.check-flagged", FraudSvc, Payload::Order, "velocity rule R17", false},
    /*13 */ {"invoice.issued", BillingSvc, Payload::Order, {}, false},
    /*14 */ {"shipment.requested", ShippingSvc, Payload::Order, {}, false},
    /*15 */ {"shipment.created", ShippingSvc, Payload::Order, {}, false},
    /*16 */ {"shipment.dispatched", ShippingSvc, Payload::Order, {}, false},
    /*17 */ {"notification.email-sent", NotificationSvc, Payload::Customer, {}, false},
    /*18 */ {"notification.sms-sent", NotificationSvc, Payload::Customer, {}, false},
    /*19 */ {"analytics.order-recorded", AnalyticsSvc, Payload::Order, {}, false},
    /*20 */ {"package.received", ScannerSvc, Payload::Package, {}, false},
    /*21 */ {"package.scanned", ScannerSvc, Payload::Package, {}, true},
    /*22 */ {"package.sorted", SortingSvc, Payload::Package, {}, false},
    /*23 */ {"package.loaded", SortingSvc, Payload::Package, {}, false},
    /*24 */ {"package.out-for-delivery", DeliverySvc, Payload::Package, {}, false},
    /*25 */ {"package.delivered", DeliverySvc, Payload::Package, {}, false},
    /*26 */ {"package.delivery-failed", DeliverySvc, Payload::Package, "nobody home", false},
    /*27 */ {"route.planned", RouteSvc, Payload::Package, {}, false},
    /*28 */ {"route.updated", RouteSvc, Payload::Package, {}, false},
    /*29 */ {"warehouse.slot-assigned", WarehouseSvc, Payload::Package, {}, false},
    /*30 */ {"warehouse.stock-counted", WarehouseSvc, Payload::Package, {}, false},
    /*31 */ {"notification.push-sent", NotificationSvc, Payload::Customer, {}, false},
    /*32 */ {"analytics.event-tracked", AnalyticsSvc, Payload::Customer, {}, false},
    /*33 */ {"customer.registered", CustomerSvc, Payload::Customer, {}, true},
    /*34 */ {"customer.verified", CustomerSvc, Payload::Customer, {}, false},
    /*35 */ {"customer.address-changed", CustomerSvc, Payload::Customer, {}, false},
    /*36 */ {"customer.deleted", CustomerSvc, Payload::Customer, {}, false},
    /*37 */ {"billing.account-created", BillingSvc, Payload::Customer, {}, false},
    /*38 */ {"billing.invoice-paid", BillingSvc, Payload::Customer, {}, false},
    /*39 */ {"audit.entry-written", AuditSvc, Payload::Customer, {}, false},
}};
// clang-format on

/// A kind of business flow: its root type, the usual path and the rarer branches.
struct FlowTemplate {
    uint8_t root;
    std::vector<uint8_t> path;
    std::vector<uint8_t> branches;
    uint32_t weight; ///< share of new flows, in percent
};

const std::array<FlowTemplate, 3> &flowTemplates()
{
    static const std::array<FlowTemplate, 3> templates = {{
        {0, {4, 11, 7, 8, 1, 13, 14, 15, 16, 17, 19, 3}, {9, 5, 2, 18, 12, 10, 6}, 45}, // order saga
        {20, {21, 29, 22, 27, 23, 24, 28, 25, 31, 32, 30}, {26, 21}, 40}, // package scans (fan-out)
        {33, {34, 37, 17, 35, 39, 38, 32, 31}, {36, 18}, 15}, // customer lifecycle
    }};
    return templates;
}

constexpr std::array<std::string_view, 6> kHubs
    = {"Zürich-Mülligen", "Basel", "Genève", "Bern", "Lausanne", "Härkingen"};
constexpr std::array<std::string_view, 3> kTiers = {"basic", "silver", "gold"};
constexpr std::array<std::string_view, 4> kTenants = {"acme", "globex", "initech", "umbrella"};

using Uuid = std::array<char, 36>;

Uuid makeUuid(Rng &rng)
{
    static constexpr char kHex[] = "0123456789abcdef";
    uint64_t a = rng.next(), b = rng.next();
    const uint64_t variant = b >> 62;
    char digits[32];
    for (int i = 0; i < 16; ++i, a >>= 4)
        digits[i] = kHex[a & 15];
    for (int i = 16; i < 32; ++i, b >>= 4)
        digits[i] = kHex[b & 15];
    digits[12] = '4'; // version 4 (random)
    digits[16] = "89ab"[variant]; // RFC 4122 variant
    Uuid u;
    size_t out = 0;
    for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            u[out++] = '-';
        u[out++] = digits[i];
    }
    return u;
}

void appendUuid(std::string &s, const Uuid &u)
{
    s.append(u.data(), u.size());
}

void appendNumber(std::string &s, uint64_t v, int width = 0)
{
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    for (int pad = width - static_cast<int>(end - buf); pad > 0; --pad)
        s.push_back('0');
    s.append(buf, end);
}

void appendHex(std::string &s, Rng &rng, int digits)
{
    static constexpr char kHex[] = "0123456789abcdef";
    while (digits > 0) {
        uint64_t v = rng.next();
        for (int i = 0; i < 16 && digits > 0; ++i, --digits, v >>= 4)
            s.push_back(kHex[v & 15]);
    }
}

/// One business flow in progress.
struct Flow {
    const FlowTemplate *kind = nullptr;
    uint32_t length = 0;
    uint32_t cursor = 0; ///< position on the usual path
    Uuid correlation {};
    std::vector<Uuid> ids;
    std::vector<int64_t> times;
    // The business entity the flow is about.
    uint32_t entity = 0;
    uint32_t amountCents = 0;
    uint32_t hub = 0;
    uint32_t tier = 0;
    uint32_t items = 0;
};

} // namespace

RecordingGenerator::RecordingGenerator(uint64_t seed) : m_seed(seed)
{ }

bool RecordingGenerator::write(const std::string &path, uint64_t events, Stats &stats, std::string &error) const
{
    stats = Stats {};
    const std::string temp = path + ".partial";
    std::FILE *file = std::fopen(temp.c_str(), "wb");
    if (!file) {
        error = "cannot create '" + temp + "': " + std::strerror(errno);
        return false;
    }
    std::vector<char> ioBuffer(1u << 20);
    std::setvbuf(file, ioBuffer.data(), _IOFBF, ioBuffer.size());

    Rng rng(m_seed);
    const auto &templates = flowTemplates();
    auto startFlow = [&](Flow &f) {
        uint32_t pick = rng.below(100);
        f.kind = &templates.back();
        for (const FlowTemplate &t : templates) {
            if (pick < t.weight) {
                f.kind = &t;
                break;
            }
            pick -= t.weight;
        }
        f.length = rng.between(3, 12);
        f.cursor = 0;
        f.ids.clear();
        f.times.clear();
        f.entity = rng.below(10'000'000);
        f.amountCents = rng.between(199, 49'999);
        f.hub = rng.below(kHubs.size());
        f.tier = rng.below(kTiers.size());
        f.items = rng.between(1, 3);
        ++stats.flows;
    };

    // Many flows are in progress at once, so consecutive lines rarely share a flow.
    constexpr size_t kConcurrentFlows = 256;
    std::vector<Flow> flows(kConcurrentFlows);
    for (Flow &f : flows)
        startFlow(f);

    // Recent lines, for the occasional redelivery.
    constexpr size_t kRecent = 64;
    std::vector<std::string> recent(kRecent);
    size_t recentCount = 0;

    int64_t clockNs = daysFromCivil(2025, 3, 4) * 86'400 * 1'000'000'000LL + 9 * 3'600 * 1'000'000'000LL;
    std::string line;
    line.reserve(1024);
    const double total = static_cast<double>(events);

    while (stats.events < events) {
        if (recentCount > 0 && rng.chance(0.001)) {
            const std::string &again = recent[rng.below(static_cast<uint32_t>(std::min(recentCount, kRecent)))];
            std::fwrite(again.data(), 1, again.size(), file);
            stats.bytes += again.size();
            ++stats.events;
            ++stats.redeliveries;
            continue;
        }

        Flow &f = flows[rng.below(kConcurrentFlows)];
        const size_t n = f.ids.size();
        // µs resolution; 1 000 events/s unless told otherwise
        clockNs += static_cast<int64_t>(static_cast<double>(rng.between(200, 1'800)) * 1000.0 / m_eventsPerSecond) * 1'000;

        const EventType *type;
        if (n == 0) {
            type = &kTypes[f.kind->root];
        } else if (rng.chance(0.06)) {
            type = &kTypes[f.kind->branches[rng.below(static_cast<uint32_t>(f.kind->branches.size()))]];
        } else {
            type = &kTypes[f.kind->path[f.cursor % f.kind->path.size()]];
            f.cursor += rng.chance(0.2) ? 2 : 1;
        }

        const Uuid id = makeUuid(rng);
        size_t cause = 0;
        int64_t timeNs = clockNs;
        if (n == 0) {
            f.correlation = rng.chance(0.5) ? id : makeUuid(rng);
        } else {
            cause = rng.chance(0.55) ? n - 1 : rng.below(static_cast<uint32_t>(n)); // chains and fan-out
            if (rng.chance(0.002)) {
                timeNs = f.times[cause] - static_cast<int64_t>(rng.between(1, 20'000)) * 1'000;
                ++stats.skewed;
            }
        }
        const bool v2 = type->v2Rollout && rng.chance(0.8 * static_cast<double>(stats.events) / total);

        line.clear();
        line += R"({"eventId":")";
        appendUuid(line, id);
        line += R"(","eventType":")";
        line += type->name;
        line += R"(","eventVersion":)";
        line += v2 ? '2' : '1';
        line += R"(,"timestamp":")";
        line += formatRfc3339(timeNs, printsMicroseconds(type->source) ? 6 : 3);
        line += R"(","source":")";
        line += kSources[type->source];
        line += R"(","correlationId":")";
        appendUuid(line, f.correlation);
        if (n > 0) {
            line += R"(","causationId":")";
            appendUuid(line, f.ids[cause]);
        }
        line += R"(","data":{)";
        switch (type->payload) {
        case Payload::Order:
            line += R"("orderId":"ord-)";
            appendNumber(line, f.entity, 7);
            line += R"(","amount":)";
            appendNumber(line, f.amountCents / 100);
            line += '.';
            appendNumber(line, f.amountCents % 100, 2);
            if (type == &kTypes[0] || type->source == PaymentSvc)
                line += R"(,"currency":"EUR")";
            if (type == &kTypes[0]) {
                line += R"(,"items":[)";
                for (uint32_t i = 0; i < f.items; ++i) {
                    line += i ? R"(,{"sku":"SKU-)" : R"({"sku":"SKU-)";
                    appendNumber(line, (f.entity * 7 + i * 131) % 100'000, 5);
                    line += R"(","qty":)";
                    appendNumber(line, 1 + (f.entity + i) % 4);
                    line += '}';
                }
                line += ']';
            }
            break;
        case Payload::Package:
            line += R"("packageId":"pkg-)";
            appendNumber(line, f.entity, 8);
            line += R"(","hub":")";
            line += kHubs[f.hub];
            line += '"';
            if (type == &kTypes[21]) {
                line += R"(,"scanner":"sc-)";
                appendNumber(line, rng.below(64), 2);
                line += '"';
            }
            break;
        case Payload::Customer:
            line += R"("customerId":"cus-)";
            appendNumber(line, f.entity % 1'000'000, 6);
            line += R"(","tier":")";
            line += kTiers[f.tier];
            line += '"';
            break;
        }
        if (!type->reason.empty()) {
            line += R"(,"reason":")";
            line += type->reason;
            line += '"';
        }
        line += '}';
        const uint32_t meta = rng.below(100);
        if (meta < 8) {
            line += R"(,"metadata":{"traceparent":"00-)";
            appendHex(line, rng, 32);
            line += '-';
            appendHex(line, rng, 16);
            line += R"(-01"})";
        } else if (meta < 18) {
            line += R"(,"metadata":{"tenant":")";
            line += kTenants[f.entity % kTenants.size()];
            line += R"("})";
        }
        line += "}\n";

        std::fwrite(line.data(), 1, line.size(), file);
        stats.bytes += line.size();
        ++stats.events;
        recent[recentCount++ % kRecent] = line;

        f.ids.push_back(id);
        f.times.push_back(timeNs);
        if (f.ids.size() >= f.length)
            startFlow(f);
    }

    const bool writeFailed = std::ferror(file) != 0;
    if (std::fclose(file) != 0 || writeFailed) {
        error = "cannot write '" + temp + "': " + std::strerror(errno);
        std::remove(temp.c_str());
        return false;
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        error = "cannot rename '" + temp + "' to '" + path + "': " + std::strerror(errno);
        std::remove(temp.c_str());
        return false;
    }
    return true;
}

} // namespace eventlens::bench
