// Exports: the filtered table as JSON Lines and CSV, a flow as a Graphviz .dot file — real
// files, read back the way other tools would (our reader, a CSV split, libcgraph).
#include "core/eventstore.h"
#include "core/exports.h"
#include "core/flowgraph.h"
#include "core/jsonlreader.h"
#include "testsupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <graphviz/cgraph.h>

using namespace eventlens;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Splits one RFC 4180 record (no line breaks inside fields in these tests).
QStringList csvFields(const QString &line)
{
    QStringList fields;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"')
                field += '"', ++i;
            else if (c == '"')
                quoted = false;
            else
                field += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields << field;
            field.clear();
        } else {
            field += c;
        }
    }
    fields << field;
    return fields;
}

void loadSaga(EventStore &store)
{
    RecordingReport report;
    std::string error;
    QVERIFY2(JsonlReader().load(EVENTLENS_TEST_DATA "/saga.jsonl", store, report, error), error.c_str());
}

} // namespace

class TestExports : public QObject {
    Q_OBJECT
private slots:
    void jsonlHoldsTheEventsAsReceivedAndLoadsAgain()
    {
        EventStore store;
        loadSaga(store);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("filtered.jsonl"));
        const std::vector<uint32_t> events{store.find("e-6"), store.find("e-8"), store.find("e-10")};
        std::string error;
        QVERIFY2(exportJsonl(store, events, path.toStdString(), error), error.c_str());
        const QList<QByteArray> lines = readAll(path).split('\n');
        QCOMPARE(lines.size(), 4); // three lines and the final newline
        for (size_t i = 0; i < events.size(); ++i)
            QCOMPARE(lines[qsizetype(i)].toStdString(), std::string(store.raw(events[i])));
        EventStore again;
        RecordingReport report;
        QVERIFY(JsonlReader().load(path.toStdString(), again, report, error));
        QCOMPARE(again.size(), size_t(3));
        QVERIFY(report.rejected.empty());
        QVERIFY(!QFile::exists(path + QStringLiteral(".part")));
    }

    void csvHasTheTableColumnsQuotedWhereNeeded()
    {
        EventStore store;
        loadSaga(store);
        // An event whose strings need quoting.
        std::string error;
        QVERIFY2(
            appendOneByOne(std::vector<std::string>{"{\"eventId\":\"q-1\",\"eventType\":\"odd.thing\",\"timestamp\":"
                                                    "\"2026-03-02T10:00:05Z\",\"source\":\"svc, \\\"quoted\\\"\","
                                                    "\"correlationId\":\"c-9\"}"},
                           store, {}, error),
            error.c_str());
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("rows.csv"));
        const std::vector<uint32_t> events{store.find("e-1"), store.find("e-2"), store.find("e-11"), store.find("q-1")};
        QVERIFY2(exportCsv(store, events, path.toStdString(), error), error.c_str());
        const QStringList lines = QString::fromUtf8(readAll(path)).split(QStringLiteral("\r\n"));
        QCOMPARE(lines.size(), 6); // header, four rows, the final CRLF
        QCOMPARE(lines[0],
                 QStringLiteral("time,eventId,eventType,eventVersion,source,correlationId,causationId,lagMs,flags"));
        const QStringList e1 = csvFields(lines[1]);
        QCOMPARE(e1, (QStringList{"2026-03-02T10:00:00.000Z", "e-1", "order.placed", "1", "order-service", "c-1001",
                                  "cmd-checkout-1", "", "ghost-cause"}));
        const QStringList e2 = csvFields(lines[2]);
        QCOMPARE(e2.at(7), QStringLiteral("45")); // 10:00:00.045 − 10:00:00.000
        QCOMPARE(e2.at(8), QString());
        const QStringList e11 = csvFields(lines[3]);
        QCOMPARE(e11.at(1), QStringLiteral("e-11"));
        QCOMPARE(e11.at(7), QStringLiteral("-30")); // notification at .290, its cause e-10 at .320
        QCOMPARE(e11.at(8), QStringLiteral("skew"));
        const QStringList q1 = csvFields(lines[4]);
        QCOMPARE(q1.at(4), QStringLiteral("svc, \"quoted\""));
        QVERIFY(lines[4].contains(QStringLiteral("\"svc, \"\"quoted\"\"\"")));
    }

    void flowDotIsAGraphGraphvizReads()
    {
        EventStore store;
        loadSaga(store);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c-1002.dot"));
        std::string error;
        QVERIFY2(exportFlowDot(store, buildFlowGraph(store, "c-1002"), path.toStdString(), error), error.c_str());
        const QByteArray dot = readAll(path);
        Agraph_t *graph = agmemread(dot.constData());
        QVERIFY(graph);
        QCOMPARE(agnnodes(graph), 6); // e-6 … e-11; the redelivery of e-8 is the same node
        QCOMPARE(agnedges(graph), 5);
        agclose(graph);
    }

    void anUnwritablePathSaysWhich()
    {
        EventStore store;
        loadSaga(store);
        std::string error;
        const std::vector<uint32_t> events{store.find("e-1")};
        QVERIFY(!exportJsonl(store, events, "/nonexistent/dir/out.jsonl", error));
        QVERIFY2(error.find("/nonexistent/dir/out.jsonl") != std::string::npos, error.c_str());
        QVERIFY2(error.find("No such file or directory") != std::string::npos, error.c_str());
        QVERIFY(!exportCsv(store, events, "/nonexistent/dir/out.csv", error));
        QVERIFY(error.find("/nonexistent/dir/out.csv") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestExports)
#include "tst_exports.moc"
