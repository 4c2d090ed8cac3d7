// The analyses on what the demo systems really did: a recording made live (demo → bus →
// session → recording), then `eventlens-cli topology` against the scenario's wiring and
// `eventlens-cli lag` against a computation of our own straight from the raw file.
#include "core/anomalies.h"
#include "core/demo.h"
#include "core/jsonlreader.h"
#include "core/laganalyzer.h"
#include "core/replayer.h"
#include "core/topologyanalyzer.h"
#include "core/session.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <zmq.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

using namespace eventlens;

namespace {

/// Records a demo run: the session's own bus, the demo on it, every event to `path`.
bool recordDemo(DemoSystem::Scenario scenario, const QString &path, std::string &error)
{
    zmq::context_t ctx;
    Session session(ctx);
    if (!session.startBus({"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"}, error))
        return false;
    if (!session.startRecording(path.toStdString(), error))
        return false;
    DemoSystem::Options o;
    o.scenario = scenario;
    o.publishers = session.bus()->publishersEndpoint();
    o.subscribers = session.bus()->subscribersEndpoint();
    o.knobs.rate = 60;
    o.knobs.lag = {20, 10};
    o.knobs.failureRate = 0.3;
    o.knobs.duplicateRate = 0.02;
    o.knobs.seed = 20261126;
    DemoSystem demo(ctx, o);
    if (!demo.start()) {
        error = demo.error();
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    while (demo.counters().flowsStarted < 120 && timer.elapsed() < 20000) {
        session.waitForData(std::chrono::milliseconds(20));
        session.poll();
    }
    // Let every flow finish: no new flows, then wait until the bus is quiet.
    DemoSystem::Knobs k = demo.knobs();
    k.rate = 0;
    demo.setKnobs(k);
    uint64_t last = 0;
    QElapsedTimer quiet;
    quiet.start();
    while (quiet.elapsed() < 400) {
        session.waitForData(std::chrono::milliseconds(20));
        session.poll();
        if (session.store().size() != last) {
            last = session.store().size();
            quiet.restart();
        }
    }
    demo.stop();
    const Session::RecordingResult r = session.stopRecording();
    error = r.error;
    return error.empty() && r.events > 0;
}

QJsonObject cliJson(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(EVENTLENS_CLI), args);
    if (!p.waitForFinished(60000) || p.exitCode() != 0) {
        qWarning() << args << p.readAllStandardError();
        return {};
    }
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

/// RFC 3339 with any fraction, 'Z' or an offset, to ns — our own reading, not the core's.
qint64 parseNs(const QString &text)
{
    static const QRegularExpression re(R"(^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$)");
    const auto m = re.match(text);
    if (!m.hasMatch())
        return 0;
    QDateTime t = QDateTime::fromString(m.captured(1) + (m.captured(3) == "Z" ? "+00:00" : m.captured(3)),
                                        Qt::ISODate);
    const QString fraction = (m.captured(2) + "000000000").left(9);
    return t.toMSecsSinceEpoch() * 1'000'000 + fraction.toLongLong();
}

struct Lags {
    std::vector<qint64> values; ///< ns, skew excluded
    int skew = 0;
};

/// Reaction lags per (consumer, cause type), straight from the file: first occurrences
/// only, the cause found by eventId anywhere in the file.
std::map<std::pair<QString, QString>, Lags> lagsOf(const QString &path)
{
    struct E {
        qint64 ns;
        QString type, source, cause;
    };
    std::map<QString, E> first;
    std::vector<QString> order;
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    while (!f.atEnd()) {
        const QJsonObject o = QJsonDocument::fromJson(f.readLine()).object();
        const QString id = o.value("eventId").toString();
        if (first.count(id))
            continue;
        first[id] = {parseNs(o.value("timestamp").toString()), o.value("eventType").toString(),
                     o.value("source").toString(), o.value("causationId").toString()};
        order.push_back(id);
    }
    std::map<std::pair<QString, QString>, Lags> out;
    for (const QString &id : order) {
        const E &e = first[id];
        auto c = first.find(e.cause);
        if (e.cause.isEmpty() || c == first.end())
            continue;
        Lags &l = out[{e.source, c->second.type}];
        const qint64 lag = e.ns - c->second.ns;
        if (lag < 0)
            ++l.skew;
        else
            l.values.push_back(lag);
    }
    return out;
}

double nearestRankMs(std::vector<qint64> v, double p)
{
    std::sort(v.begin(), v.end());
    const size_t rank = size_t(std::ceil(p / 100.0 * double(v.size())));
    return double(v[std::max<size_t>(rank, 1) - 1]) / 1e6;
}


/// Lag, topology and anomalies of a store, as text keyed by names (a store's numbers
/// depend on arrival order, names do not).
struct Results {
    QStringList lag, topology, anomalies;
};

class Analyzed {
public:
    explicit Analyzed(const EventStore &store)
        : m_store(store), m_analysis(store), m_anomalies([this](uint16_t consumer, uint16_t cause) -> std::optional<int64_t> {
              const auto s = m_lag.statsOf(consumer, cause);
              return s && s->count > s->skew ? std::optional<int64_t>(s->p99Ns) : std::nullopt;
          })
    {
        m_analysis.add(m_lag);
        m_analysis.add(m_topology);
        m_analysis.add(m_anomalies);
    }
    void update() { m_analysis.update(); }
    Results results() const
    {
        auto name = [](std::string_view s) { return QString::fromUtf8(s.data(), int(s.size())); };
        Results r;
        for (const LagStats &l : m_lag.stats())
            r.lag << QStringList{name(m_store.sourceName(l.consumer)), name(m_store.typeName(l.causeType)),
                                 QString::number(l.count), QString::number(l.p50Ns), QString::number(l.p95Ns),
                                 QString::number(l.p99Ns), QString::number(l.maxNs), QString::number(l.skew)}
                         .join(' ');
        for (const TopologyEdge &e : m_topology.edges())
            r.topology << QStringList{name(m_store.sourceName(e.producer)), name(m_store.typeName(e.eventType)),
                                      name(m_store.sourceName(e.consumer)), QString::number(e.count),
                                      QString::number(e.p50Ns), QString::number(e.p99Ns), QString::number(e.skew)}
                              .join(' ');
        for (const Anomaly &a : m_anomalies.list(m_store))
            r.anomalies << QString::fromStdString(std::string(Anomaly::kindName(a.kind)) + " "
                                                  + std::to_string(a.count) + " " + a.message);
        r.lag.sort();
        r.topology.sort();
        r.anomalies.sort();
        return r;
    }

private:
    const EventStore &m_store;
    Analysis m_analysis;
    LagAnalyzer m_lag;
    TopologyAnalyzer m_topology;
    AnomalyAnalyzer m_anomalies;
};
} // namespace

class TstDemoAnalysis : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::map<QString, QString> m_recordings; // scenario name → file

private slots:
    void initTestCase()
    {
        for (auto scenario : {DemoSystem::Scenario::OrderSaga, DemoSystem::Scenario::Logistics}) {
            const QString name = DemoSystem::scenarioName(scenario);
            const QString path = m_dir.filePath(name + ".jsonl");
            std::string error;
            QVERIFY2(recordDemo(scenario, path, error), error.c_str());
            m_recordings[name] = path;
        }
    }

    void topologyMatchesTheScenariosWiring_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::newRow("order-saga") << "order-saga";
        QTest::newRow("logistics") << "logistics";
    }
    void topologyMatchesTheScenariosWiring()
    {
        QFETCH(QString, scenario);
        const auto catalog = DemoSystem::catalog(*DemoSystem::parseScenario(scenario.toStdString()));
        // The wiring: a core consumer reacting to T, for every service publishing T.
        std::set<QString> expected;
        for (const auto &consumer : catalog) {
            if (consumer.optional)
                continue;
            for (const std::string &topic : consumer.reactsTo)
                for (const auto &producer : catalog)
                    for (const std::string &type : producer.publishes)
                        if (!producer.optional && (type == topic || (topic.ends_with('.') && type.starts_with(topic))))
                            expected.insert(QString::fromStdString(producer.source + " " + type + " " + consumer.source));
        }
        const QJsonObject json = cliJson({"topology", m_recordings[scenario], "--format", "json"});
        std::set<QString> got;
        for (const QJsonValue &v : json.value("edges").toArray()) {
            const QJsonObject e = v.toObject();
            got.insert(e.value("producer").toString() + " " + e.value("eventType").toString() + " "
                       + e.value("consumer").toString());
            QVERIFY(e.value("count").toInt() > 0);
        }
        QCOMPARE(got, expected);
    }

    void replayedLiveEventByEventGivesTheSameResultsAsOpening_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("orders.jsonl (300 flows, skew, redeliveries, unseen causes, a schema mix)")
            << QStringLiteral(EVENTLENS_TEST_DATA "/orders.jsonl");
        QTest::newRow("a recorded order-saga demo") << QString("order-saga");
        QTest::newRow("a recorded logistics demo") << QString("logistics");
    }
    void replayedLiveEventByEventGivesTheSameResultsAsOpening()
    {
        QFETCH(QString, file);
        if (m_recordings.count(file))
            file = m_recordings[file];
        // Opened at once.
        EventStore opened;
        RecordingReport report;
        std::string error;
        QVERIFY2(JsonlReader().load(file.toStdString(), opened, report, error), error.c_str());
        Analyzed atOnce(opened);
        atOnce.update();
        const Results expected = atOnce.results();
        QVERIFY(!expected.lag.isEmpty() && !expected.topology.isEmpty());

        // Replayed onto a session's bus at ×50, so it arrives over many polls; the analyses
        // follow every poll.
        zmq::context_t ctx;
        Session session(ctx);
        QVERIFY2(session.startBus({"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"}, error), error.c_str());
        Analyzed live(session.store());
        int polls = 0;
        session.addObserver([&](const Session::Update &) {
            live.update();
            ++polls;
        });
        Replayer::Options options;
        options.endpoint = session.bus()->publishersEndpoint();
        options.speed = 50;
        Replayer replayer(ctx, opened, options);
        QVERIFY2(replayer.start(), replayer.error().c_str());
        QElapsedTimer timer;
        timer.start();
        while (session.store().size() < opened.size() && timer.elapsed() < 20000) {
            session.waitForData(std::chrono::milliseconds(20));
            session.poll(std::chrono::milliseconds(1)); // small polls: many incremental updates
        }
        QCOMPARE(session.store().size(), opened.size());
        QVERIFY2(polls > 1, "the analyses were fed in one go, not incrementally");
        const Results got = live.results();
        QCOMPARE(got.lag, expected.lag);
        QCOMPARE(got.topology, expected.topology);
        QCOMPARE(got.anomalies, expected.anomalies);
    }

    void lagMatchesAnIndependentComputation_data() { topologyMatchesTheScenariosWiring_data(); }
    void lagMatchesAnIndependentComputation()
    {
        QFETCH(QString, scenario);
        const auto ours = lagsOf(m_recordings[scenario]);
        const QJsonObject json = cliJson({"lag", m_recordings[scenario], "--format", "json"});
        const QJsonArray lags = json.value("lags").toArray();
        QCOMPARE(size_t(lags.size()), ours.size());
        int skew = 0;
        for (const QJsonValue &v : lags) {
            const QJsonObject l = v.toObject();
            const auto it = ours.find({l.value("consumer").toString(), l.value("cause").toString()});
            QVERIFY2(it != ours.end(), qPrintable(l.value("consumer").toString() + " / " + l.value("cause").toString()));
            const Lags &mine = it->second;
            QCOMPARE(l.value("count").toInt(), int(mine.values.size()) + mine.skew); // count includes skew edges
            QCOMPARE(l.value("skew").toInt(), mine.skew);
            skew += mine.skew;
            if (mine.values.empty())
                continue;
            for (const auto &[key, p] : {std::pair{"p50Ms", 50.0}, std::pair{"p95Ms", 95.0}, std::pair{"p99Ms", 99.0}}) {
                const double cli = l.value(key).toDouble(), mineMs = nearestRankMs(mine.values, p);
                QVERIFY2(std::abs(cli - mineMs) <= 0.5,
                         qPrintable(QStringLiteral("%1 / %2 %3: cli %4 ms, file %5 ms")
                                        .arg(l.value("consumer").toString(), l.value("cause").toString(), key)
                                        .arg(cli)
                                        .arg(mineMs)));
            }
        }
        QCOMPARE(json.value("skew").toInt(), skew);
    }
};

QTEST_GUILESS_MAIN(TstDemoAnalysis)
#include "tst_demoanalysis.moc"
