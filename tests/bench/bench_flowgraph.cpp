// bench_flowgraph: what the flow graph pane costs for a big flow.
//
// A 500-node flow (by default): a batch of orders submitted by an unseen command, each order
// fanning out to inventory, fraud and analytics, then payment, then shipping and a
// notification or, when payment fails, the compensation (stock released, order cancelled,
// customer notified); a few redeliveries and a skewed clock, as in real captures. Real event
// JSON, decoded into an EventStore. Median of --runs, each on a fresh view:
//   flow        buildFlowGraph() for the correlation (core; what the view is given)
//   dot alone   GraphLayout over the same node and label sizes (the baseline: Graphviz)
//   setFlow     FlowGraphView::setFlow(): items, text measurement, dot layout, scene
//   paint       a forced paint of the view's viewport into a QImage (1200×800), at the zoom
//               a new flow is shown at, and at 1:1 (every label drawn)
// and prints setFlow + paint against the target: a 500-node flow lays out and draws
// in < 500 ms. With --check the exit code is 1 when the target is missed.

#include "core/decoder.h"
#include "core/eventstore.h"
#include "core/flowgraph.h"
#include "core/rfc3339.h"
#include "ui/flowgraphview.h"
#include "ui/graphlayout.h"
#include "ui/graphnodeitem.h"

#include <QApplication>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

using namespace eventlens;

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kTargetMs = 500;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

/// The flow's events as JSON lines: at least `nodes` nodes (whole orders, the unseen command
/// included), then the redelivered copies.
std::vector<std::string> batchFlow(size_t nodes, size_t &redeliveries)
{
    const int64_t t0 = *parseRfc3339("2026-03-02T10:00:00Z");
    std::vector<std::string> lines;
    auto add = [&](const std::string &id, const char *type, const char *source, int64_t ms, const std::string &cause) {
        std::string s = "{\"eventId\":\"" + id + "\",\"eventType\":\"" + type + "\",\"eventVersion\":1,\"timestamp\":\""
                        + formatRfc3339(t0 + ms * 1'000'000, 3) + "\",\"source\":\"" + source
                        + "\",\"correlationId\":\"batch-1\"";
        if (!cause.empty())
            s += ",\"causationId\":\"" + cause + "\"";
        lines.push_back(s + ",\"data\":{\"orderId\":\"" + id + "\",\"total\":42.5}}");
    };
    add("b", "batch.submitted", "order-service", 0, "cmd-import-7");
    redeliveries = 0;
    for (int o = 0; lines.size() - redeliveries + 1 < nodes; ++o) {
        const std::string n = std::to_string(o);
        const int64_t at = 10 + o * 15;
        add("p" + n, "order.placed", "order-service", at, "b");
        add("r" + n, "inventory.reserved", "inventory-service", at + 30 + o % 7, "p" + n);
        add("f" + n, "fraud.checked", "fraud-service", at + 12, "p" + n);
        add("a" + n, "analytics.recorded", "analytics-service", at + 5, "p" + n);
        if (o % 5 == 3) { // payment fails: compensate
            add("x" + n, "payment.failed", "payment-service", at + 250, "r" + n);
            add("s" + n, "stock.released", "inventory-service", at + 300, "x" + n);
            add("c" + n, "order.cancelled", "order-service", at + 320, "x" + n);
            add("m" + n, "notification.sent", "notification-service", at + (o % 10 == 3 ? 290 : 350), "c" + n);
        } else {
            add("y" + n, "payment.authorized", "payment-service", at + 180, "r" + n);
            add("h" + n, "shipment.scheduled", "shipping-service", at + 420, "y" + n);
            add("m" + n, "notification.sent", "notification-service", at + 500, "h" + n);
        }
        if (o % 17 == 0) { // redelivered
            lines.push_back(lines[lines.size() - 2]);
            ++redeliveries;
        }
    }
    return lines;
}

} // namespace

int main(int argc, char **argv)
{
    size_t nodes = 500;
    int runs = 5;
    bool check = false;
    QString png; // --png PATH: also save the first paint, to look at
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--nodes" && i + 1 < argc)
            nodes = std::strtoul(argv[++i], nullptr, 10);
        else if (a == "--runs" && i + 1 < argc)
            runs = std::max(1, std::atoi(argv[++i]));
        else if (a == "--check")
            check = true;
        else if (a == "--png" && i + 1 < argc)
            png = QString::fromLocal8Bit(argv[++i]);
        else {
            std::printf("usage: bench_flowgraph [--nodes N] [--runs N] [--check] [--png PATH]\n");
            return a == "--help" || a == "-h" ? 0 : 2;
        }
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen"); // no display needed
    QApplication app(argc, argv);

    EventStore store;
    Decoder decoder;
    size_t redeliveries = 0;
    const std::vector<std::string> lines = batchFlow(nodes, redeliveries);
    for (const std::string &line : lines) {
        DecodedEvent e;
        DecodeError error;
        if (!decoder.decode(line, e, error)) {
            std::fprintf(stderr, "bench_flowgraph: bad generated line: %s\n", error.text().c_str());
            return 2;
        }
        store.append(e);
    }

    std::vector<double> flowMs, dotMs, setFlowMs, paintMs, paint1Ms, paintFitMs;
    size_t drawn = 0, edges = 0;
    double presentedZoom = 0;
    for (int r = 0; r < runs; ++r) {
        auto start = Clock::now();
        const FlowGraph graph = buildFlowGraph(store, "batch-1");
        flowMs.push_back(msSince(start));
        edges = graph.edges.size();

        FlowGraphView view;
        view.resize(1200, 800);
        view.show();
        QCoreApplication::processEvents();
        start = Clock::now();
        view.setFlow(store, graph);
        setFlowMs.push_back(msSince(start));
        drawn = static_cast<size_t>(view.nodeCount());
        presentedZoom = view.zoom();

        QImage image(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
        start = Clock::now();
        view.viewport()->render(&image);
        paintMs.push_back(msSince(start));
        if (r == 0 && !png.isEmpty())
            image.save(png);
        view.zoomBy(1.0 / view.zoom());
        start = Clock::now();
        view.viewport()->render(&image);
        paint1Ms.push_back(msSince(start));
        view.fitToView();
        start = Clock::now();
        view.viewport()->render(&image);
        paintFitMs.push_back(msSince(start));

        // The baseline: dot alone over the same sizes.
        GraphLayout layout;
        for (size_t n = 0; n < graph.nodes.size(); ++n) {
            const QString id = QString::fromStdString(graph.nodes[n].eventId);
            layout.addNode({view.nodeItem(id)->size(), GraphLayout::Shape::Box});
        }
        for (const FlowGraph::Edge &e : graph.edges)
            layout.addEdge({e.cause, e.effect, QSizeF(44, 16), e.critical ? 8 : 1});
        QString error;
        start = Clock::now();
        if (!layout.layout(error)) {
            std::fprintf(stderr, "bench_flowgraph: %s\n", qPrintable(error));
            return 2;
        }
        dotMs.push_back(msSince(start));
    }

    const double setFlow = median(setFlowMs), paint = median(paintMs), paint1 = median(paint1Ms);
    const double dot = median(dotMs), total = setFlow + paint;
    std::printf("bench_flowgraph: a flow of %zu events and %zu redelivered copies: %zu nodes drawn (1 unseen cause), "
                "%zu edges; median of %d runs\n\n",
                lines.size() - redeliveries, redeliveries, drawn, edges, runs);
    std::printf("  %-48s %8.2f ms\n", "buildFlowGraph (core)", median(flowMs));
    std::printf("  %-48s %8.1f ms   (the baseline)\n", "dot layout alone (GraphLayout)", dot);
    std::printf("  %-48s %8.1f ms   = %.2fx dot alone\n", "FlowGraphView::setFlow (items + layout + scene)", setFlow,
                setFlow / dot);
    std::printf("  %-48s %8.1f ms   (zoom %.2f)\n", "first paint, 1200x800, as presented", paint, presentedZoom);
    std::printf("  %-48s %8.1f ms\n", "paint at 1:1 (every label drawn)", paint1);
    std::printf("  %-48s %8.1f ms\n", "paint fitted whole (F: every node, no text)", median(paintFitMs));
    std::printf("\n  setFlow + first paint %.1f ms = %.2f of the %.0f ms target (must be < 1)\n", total,
                total / kTargetMs, kTargetMs);
    if (check && total >= kTargetMs) {
        std::printf("\nFAIL: the target is missed\n");
        return 1;
    }
    return 0;
}
