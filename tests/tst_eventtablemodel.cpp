// The event table (EventTableModel) and its filter bar (FilterBar): the cells of a known
// recording (tests/data/saga.jsonl, bad lines included), filtering, live appends in batches,
// rejected rows in their place, eviction, and the bar's parsing, errors and completion.
#include "core/decoder.h"
#include "core/eventstore.h"
#include "core/rejectedinput.h"
#include "testsupport.h"
#include "ui/eventtablemodel.h"
#include "ui/filterbar.h"
#include "ui/palette.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QBrush>
#include <QCompleter>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStringListModel>
#include <QtTest>

#include <deque>
#include <memory>
#include <string>
#include <vector>

using namespace eventlens;

namespace {

/// Decodes each line into `store`; a line that is not an event becomes a reject placed
/// before the next event, as the workspace does. Blank lines are skipped, like the reader.
void feed(const QList<QByteArray> &lines, EventStore &store, std::deque<RejectedInput> &rejects,
          const std::string &origin = "/data/saga.jsonl", uint64_t firstLine = 1)
{
    Decoder decoder;
    uint64_t line = firstLine;
    for (const QByteArray &l : lines) {
        const std::string bytes = l.toStdString();
        const uint64_t number = line++;
        if (bytes.empty())
            continue;
        DecodedEvent e;
        DecodeError error;
        if (decoder.decode(bytes, e, error)) {
            store.append(e, 0, uint32_t(number));
            continue;
        }
        RejectedInput r;
        r.origin = origin;
        r.line = number;
        r.reason = error.text();
        r.frames = {bytes};
        r.bytes = bytes.size();
        r.beforeEvent = store.endIndex();
        rejects.push_back(std::move(r));
    }
}

QList<QByteArray> sagaLines()
{
    QFile f(QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open saga.jsonl");
    return f.readAll().split('\n');
}

/// An event line of the test's own.
QByteArray line(int n, const char *type = "order.placed", const char *source = "order-service", int cause = -1,
                size_t padding = 0)
{
    std::string s = "{\"eventId\":\"e-" + std::to_string(n) + "\",\"eventType\":\"" + type
                    + "\",\"timestamp\":\"2026-03-02T10:00:00.000Z\",\"source\":\"" + source
                    + "\",\"correlationId\":\"c-" + std::to_string(n / 10) + "\"";
    if (cause >= 0)
        s += ",\"causationId\":\"e-" + std::to_string(cause) + "\"";
    s += ",\"data\":{\"pad\":\"" + std::string(padding, 'x') + "\"}}";
    return QByteArray::fromStdString(s);
}

/// The rows as "e-ID" for events and "R<line>" for rejects.
QStringList rows(const EventTableModel &model, const EventStore &store, const std::deque<RejectedInput> &rejects)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row) {
        if (const auto e = model.eventAt(row))
            out << QString::fromUtf8(store.eventId(*e).data(), qsizetype(store.eventId(*e).size()));
        else if (const auto r = model.rejectAt(row))
            out << QStringLiteral("R%1").arg(rejects[*r].line);
        else
            out << QStringLiteral("?");
    }
    return out;
}

/// The rows as keys, to compare a live model with one built from scratch.
QStringList keys(const EventTableModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row) {
        if (const auto e = model.eventAt(row))
            out << QString::number(*e);
        else
            out << QStringLiteral("r%1").arg(model.rejectAt(row).value_or(999999));
    }
    return out;
}

EventFilter parsed(const char *query)
{
    EventFilter::Error error;
    const auto f = EventFilter::parse(query, error);
    if (!f)
        qFatal("%s", error.message.c_str());
    return *f;
}

} // namespace

class TstEventTableModel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void headers();
    void sagaCells_data();
    void sagaCells();
    void sagaRolesAndTooltips();
    void filtering_data();
    void filtering();
    void rowOfEvent();
    void emptyAndNullSource();
    void liveAppendsInsertOneRangePerPoll();
    void liveAppendsWithAFilter();
    void evictionRemovesRows();

    void filterBarEmitsValidQueriesAfterAPause();
    void filterBarShowsErrors();
    void filterBarEnterAndEscape();
    void filterBarSetQuery();
    void filterBarCompletesTypeNames();
    void filterBarCounts();

private:
    EventStore m_saga;
    std::deque<RejectedInput> m_sagaRejects;
};

void TstEventTableModel::initTestCase()
{
    feed(sagaLines(), m_saga, m_sagaRejects);
    QCOMPARE(m_saga.size(), 14u);
    QCOMPARE(m_sagaRejects.size(), 3u); // lines 15, 16 and the torn 18 (17 is blank)
}

void TstEventTableModel::headers()
{
    EventTableModel model;
    QCOMPARE(model.columnCount(), int(EventTableModel::ColumnCount));
    QStringList titles;
    for (int c = 0; c < model.columnCount(); ++c)
        titles << model.headerData(c, Qt::Horizontal).toString();
    QCOMPARE(titles, (QStringList{"Time (UTC)", "Type", "Ver.", "Source", "Correlation", "Causation", "Lag", "Flags"}));
    QVERIFY(!model.headerData(EventTableModel::Lag, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
}

void TstEventTableModel::sagaCells_data()
{
    // clang-format off
    QTest::addColumn<int>("row");
    QTest::addColumn<QStringList>("cells");

    // Time, Type, Version, Source, Correlation, Causation, Lag, Flags
    QTest::newRow("ghost cause") << 0
                                 << QStringList{"10:00:00.000", "order.placed", "1", "order-service", "c-1001",
                                                "cmd-chec\u2026", "", "ghost cause"};
    QTest::newRow("lag") << 1
                         << QStringList{"10:00:00.045", "inventory.reserved", "1", "inventory-service", "c-1001", "e-1",
                                        "45 ms", ""};
    QTest::newRow("time with an offset") << 2
                                         << QStringList{"10:00:00.180", "payment.authorized", "1", "payment-service",
                                                        "c-1001", "e-2", "135 ms", ""};
    QTest::newRow("a root") << 5
                            << QStringList{"10:00:01.000", "order.placed", "1", "order-service", "c-1002", "", "", ""};
    QTest::newRow("redelivered") << 10
                                 << QStringList{"10:00:01.250", "payment.failed", "1", "payment-service", "c-1002",
                                                "e-7", "220 ms", "redelivered"};
    QTest::newRow("skew") << 11
                          << QStringList{"10:00:01.290", "notification.sent", "1", "notification-service", "c-1002",
                                         "e-10", "-30 ms", "skew"};
    QTest::newRow("CloudEvent v2") << 12
                                   << QStringList{"10:00:02.000", "order.placed", "2", "order-service", "c-1003", "",
                                                  "", ""};
    QTest::newRow("collision") << 13
                               << QStringList{"10:00:00.046", "inventory.reserved", "1", "inventory-service", "c-1001",
                                              "e-1", "46 ms", "collision"};
    QTest::newRow("rejected line") << 14
                                   << QStringList{"", "rejected", "", "saga.jsonl line 15", "", "", "", "rejected"};
    QTest::newRow("rejected, not JSON") << 15
                                        << QStringList{"", "rejected", "", "saga.jsonl line 16", "", "", "",
                                                       "rejected"};
    QTest::newRow("rejected, torn") << 16
                                    << QStringList{"", "rejected", "", "saga.jsonl line 18", "", "", "", "rejected"};
    // clang-format on
}

void TstEventTableModel::sagaCells()
{
    QFETCH(int, row);
    QFETCH(QStringList, cells);
    EventTableModel model;
    QAbstractItemModelTester tester(&model);
    model.setSource(&m_saga, &m_sagaRejects);
    QCOMPARE(model.rowCount(), 17);
    QStringList got;
    for (int c = 0; c < model.columnCount(); ++c)
        got << model.data(model.index(row, c)).toString();
    QCOMPARE(got, cells);
}

void TstEventTableModel::sagaRolesAndTooltips()
{
    EventTableModel model;
    QAbstractItemModelTester tester(&model);
    model.setSource(&m_saga, &m_sagaRejects);
    auto cell = [&](int row, int column, int role) { return model.data(model.index(row, column), role); };

    QCOMPARE(cell(0, EventTableModel::Time, Qt::ToolTipRole).toString(), QStringLiteral("2026-03-02T10:00:00.000Z"));
    QCOMPARE(cell(0, EventTableModel::Correlation, EventTableModel::CorrelationRole).toString(),
             QStringLiteral("c-1001"));
    QVERIFY(cell(0, EventTableModel::Causation, Qt::ToolTipRole).toString().startsWith("cmd-checkout-1\n"));
    QVERIFY(cell(0, EventTableModel::Causation, Qt::ToolTipRole).toString().contains("ghost cause"));
    QCOMPARE(cell(0, EventTableModel::Causation, EventTableModel::CausationRole).toString(),
             QStringLiteral("cmd-checkout-1"));
    QCOMPARE(cell(2, EventTableModel::Causation, Qt::ToolTipRole).toString(),
             QStringLiteral("e-2\ninventory.reserved from inventory-service"));
    QCOMPARE(cell(3, 0, EventTableModel::EventIndexRole).toUInt(), 3u);
    QCOMPARE(cell(3, 0, EventTableModel::EventIdRole).toString(), QStringLiteral("e-4"));
    QVERIFY(!cell(3, 0, EventTableModel::RejectIndexRole).isValid());
    QCOMPARE(cell(11, 0, EventTableModel::LagRole).toLongLong(), -30'000'000LL);
    QVERIFY(!cell(0, 0, EventTableModel::LagRole).isValid());
    QCOMPARE(cell(11, 0, EventTableModel::FlagsRole).toInt() & EventTableModel::SkewFlag,
             int(EventTableModel::SkewFlag));
    QCOMPARE(cell(10, 0, EventTableModel::FlagsRole).toInt() & EventTableModel::RedeliveryFlag,
             int(EventTableModel::RedeliveryFlag));
    // Lag right aligned, red when skewed.
    QCOMPARE(cell(1, EventTableModel::Lag, Qt::TextAlignmentRole).toInt(), int(Qt::AlignRight | Qt::AlignVCenter));
    QCOMPARE(cell(11, EventTableModel::Lag, Qt::ForegroundRole).value<QBrush>().color(), QColor(palette::kSkew));
    QVERIFY(!cell(1, EventTableModel::Lag, Qt::ForegroundRole).isValid());
    // Sources are coloured.
    QVERIFY(cell(1, EventTableModel::Source, Qt::BackgroundRole).value<QBrush>().color().isValid());

    // Rejected rows: the reason in the tooltip, a red-ish background, their index in the deque.
    QVERIFY(cell(14, EventTableModel::Type, Qt::ToolTipRole).toString().contains("is not an RFC 3339 time"));
    QVERIFY(cell(14, EventTableModel::Type, Qt::ToolTipRole).toString().contains("saga.jsonl line 15"));
    QCOMPARE(cell(15, 0, EventTableModel::RejectIndexRole).toULongLong(), 1ull);
    QVERIFY(!cell(15, 0, EventTableModel::EventIndexRole).isValid());
    QCOMPARE(cell(15, 0, EventTableModel::FlagsRole).toInt(), int(EventTableModel::RejectedFlag));
    const QColor reject = cell(15, EventTableModel::Time, Qt::BackgroundRole).value<QBrush>().color();
    QVERIFY(reject.red() > reject.green() && reject.red() > reject.blue());
    QCOMPARE(model.rejectAt(16), std::optional<size_t>(2));
    QCOMPARE(model.eventAt(16), std::nullopt);
    QCOMPARE(model.eventAt(4), std::optional<uint32_t>(4));
    QCOMPARE(model.eventAt(17), std::nullopt);
    QCOMPARE(model.matchedRows(), 17u);
    QCOMPARE(model.totalRows(), 17u);
}

void TstEventTableModel::filtering_data()
{
    // clang-format off
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("everything") << ""
                                << QStringList{"e-1", "e-2",  "e-3", "e-4",  "e-5", "e-6", "e-7", "e-8", "e-9",
                                               "e-10", "e-8", "e-11", "e-12", "e-2", "R15", "R16", "R18"};
    QTest::newRow("type glob") << "type:order.*" << QStringList{"e-1", "e-6", "e-10", "e-12"};
    QTest::newRow("source and lag") << "source:payment-service lag>200ms" << QStringList{"e-8", "e-8"};
    QTest::newRow("lag") << "lag>200ms" << QStringList{"e-4", "e-8", "e-8"};
    QTest::newRow("duplicates") << "is:duplicate" << QStringList{"e-8", "e-2"};
    QTest::newRow("skew") << "is:skew" << QStringList{"e-11"};
    QTest::newRow("ghost") << "is:ghost" << QStringList{"e-1"};
    QTest::newRow("rejected") << "is:rejected" << QStringList{"R15", "R16", "R18"};
    QTest::newRow("text finds rejects too") << "yesterday" << QStringList{"R15"};
    QTest::newRow("text") << "\"card declined\"" << QStringList{"e-8", "e-8"};
    QTest::newRow("roots but no rejects") << "is:root -is:rejected" << QStringList{"e-6", "e-12"};
    QTest::newRow("a topology edge") << "source:inventory-service cause.type:order.placed"
                                     << QStringList{"e-2", "e-7", "e-2"};
    QTest::newRow("nothing") << "type:nope" << QStringList{};
    // clang-format on
}

void TstEventTableModel::filtering()
{
    QFETCH(QString, query);
    QFETCH(QStringList, expected);
    EventTableModel model;
    QAbstractItemModelTester tester(&model);
    model.setSource(&m_saga, &m_sagaRejects);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.setFilter(parsed(query.toUtf8().constData()));
    QCOMPARE(resets.count(), 1);
    QCOMPARE(rows(model, m_saga, m_sagaRejects), expected);
    QCOMPARE(model.matchedRows(), size_t(expected.size()));
    QCOMPARE(model.totalRows(), 17u);
    QCOMPARE(QString::fromStdString(model.filter().query()), query);
}

void TstEventTableModel::rowOfEvent()
{
    EventTableModel model;
    model.setSource(&m_saga, &m_sagaRejects);
    for (uint32_t i = 0; i < 14; ++i)
        QCOMPARE(model.rowOfEvent(i), int(i));
    QCOMPARE(model.rowOfEvent(14), -1);
    QCOMPARE(model.rowOfReject(0), 14);
    QCOMPARE(model.rowOfReject(2), 16);
    QCOMPARE(model.rowOfReject(3), -1);

    model.setFilter(parsed("type:order.* is:rejected,root"));
    QCOMPARE(rows(model, m_saga, m_sagaRejects), (QStringList{"e-6", "e-12"}));
    model.setFilter(parsed("type:order.*"));
    QCOMPARE(model.rowOfEvent(5), 1);  // e-6
    QCOMPARE(model.rowOfEvent(12), 3); // e-12
    QCOMPARE(model.rowOfEvent(1), -1); // filtered out
    QCOMPARE(model.rowOfReject(0), -1);
    model.setFilter(parsed("is:rejected"));
    QCOMPARE(model.rowOfReject(1), 1);
    QCOMPARE(model.rowOfEvent(0), -1);
}

void TstEventTableModel::emptyAndNullSource()
{
    EventTableModel model;
    QAbstractItemModelTester tester(&model);
    QCOMPARE(model.rowCount(), 0);
    model.appended(0, 10, 0); // no source: nothing happens
    model.setSource(&m_saga, nullptr);
    QCOMPARE(model.rowCount(), 14);
    model.setSource(nullptr, &m_sagaRejects);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.totalRows(), 0u);
    QCOMPARE(model.rowOfEvent(0), -1);
}

void TstEventTableModel::liveAppendsInsertOneRangePerPoll()
{
    EventStore store;
    std::deque<RejectedInput> rejects;
    EventTableModel model;
    QAbstractItemModelTester tester(&model);
    model.setSource(&store, &rejects);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    int n = 0, polls = 0;
    for (int batch = 0; batch < 6; ++batch) {
        const uint32_t first = store.endIndex();
        const size_t rejectsBefore = rejects.size();
        QList<QByteArray> lines;
        for (int i = 0; i < 7; ++i, ++n)
            lines << line(n, n % 2 ? "payment.authorized" : "order.placed", "svc", n > 0 ? n - 1 : -1);
        if (batch % 2)
            lines.insert(3, "not json"); // a reject in the middle of the batch
        feed(lines, store, rejects, "bus", 0);
        const int before = model.rowCount();
        model.appended(first, store.endIndex(), rejects.size() - rejectsBefore);
        ++polls;
        QCOMPARE(inserted.count(), polls);
        QCOMPARE(inserted.last().at(1).toInt(), before);
        QCOMPARE(inserted.last().at(2).toInt(), model.rowCount() - 1);
    }
    QCOMPARE(model.rowCount(), 42 + 3);
    model.appended(store.endIndex(), store.endIndex(), 0); // an empty poll inserts nothing
    QCOMPARE(inserted.count(), polls);

    // The same rows as a model built from scratch; each reject just before its event.
    EventTableModel fresh;
    fresh.setSource(&store, &rejects);
    QCOMPARE(keys(model), keys(fresh));
    for (size_t r = 0; r < rejects.size(); ++r) {
        const int row = model.rowOfReject(r);
        QVERIFY(row >= 0);
        QCOMPARE(model.eventAt(row + 1), std::optional<uint32_t>(rejects[r].beforeEvent));
    }
    QCOMPARE(model.rowOfEvent(10), 11); // after one reject
}

void TstEventTableModel::liveAppendsWithAFilter()
{
    EventStore store;
    std::deque<RejectedInput> rejects;
    EventTableModel model;
    QAbstractItemModelTester tester(&model);
    model.setSource(&store, &rejects);
    model.setFilter(parsed("type:payment.*"));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    int n = 0;
    for (int batch = 0; batch < 5; ++batch) {
        const uint32_t first = store.endIndex();
        QList<QByteArray> lines;
        for (int i = 0; i < 10; ++i, ++n)
            lines << line(n, n % 3 ? "order.placed" : "payment.failed");
        feed(lines, store, rejects, "bus", 0);
        model.appended(first, store.endIndex(), 0);
    }
    QCOMPARE(inserted.count(), 5);
    QCOMPARE(model.rowCount(), 17); // 0, 3, …, 48
    QCOMPARE(model.eventAt(16), std::optional<uint32_t>(48));
    QCOMPARE(model.totalRows(), 50u);
}

void TstEventTableModel::evictionRemovesRows()
{
    // A small cap: the store evicts its oldest quarter again and again.
    EventStore store(EventStore::Options{8u << 20});
    std::deque<RejectedInput> rejects;
    constexpr size_t kKeptRejects = 3;
    EventTableModel model;
    QAbstractItemModelTester tester(&model);
    model.setSource(&store, &rejects);
    model.setFilter(parsed("-type:nope"));
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    int n = 0;
    for (int batch = 0; batch < 40; ++batch) {
        const uint32_t first = store.endIndex();
        const size_t rejectsBefore = rejects.size();
        QList<QByteArray> lines;
        for (int i = 0; i < 100; ++i, ++n)
            lines << line(n, "order.placed", "svc", -1, 2000);
        if (batch % 10 == 0)
            lines.insert(50, "not json");
        feed(lines, store, rejects, "bus", 0);
        size_t added = rejects.size() - rejectsBefore, dropped = 0;
        while (rejects.size() > kKeptRejects) {
            rejects.pop_front();
            ++dropped;
        }
        const int removedBefore = int(removed.count());
        model.appended(first, store.endIndex(), added, dropped);
        // Evicted events leave from the top in one run; a forgotten reject may sit lower.
        QVERIFY(removed.count() - removedBefore <= (dropped ? 2 : 1));
        if (!dropped && removed.count() > removedBefore)
            QCOMPARE(removed.last().at(1).toInt(), 0);

        EventTableModel fresh;
        fresh.setSource(&store, &rejects);
        fresh.setFilter(parsed("-type:nope"));
        QCOMPARE(keys(model), keys(fresh));
        QCOMPARE(model.matchedRows(), model.totalRows());
    }
    QVERIFY(store.firstIndex() > 0);
    QVERIFY(removed.count() > 0);
    QCOMPARE(inserted.count(), 40);
    QCOMPARE(model.eventAt(model.rowCount() - 1), std::optional<uint32_t>(store.endIndex() - 1));
    QCOMPARE(model.rowOfEvent(0), -1);
    QCOMPARE(model.rowOfEvent(store.firstIndex()), model.rejectAt(0) ? 1 : 0);
}

void TstEventTableModel::filterBarEmitsValidQueriesAfterAPause()
{
    FilterBar bar;
    bar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&bar));
    QSignalSpy changed(&bar, &FilterBar::filterChanged);
    QTest::keyClicks(bar.lineEdit(), "type:order.*");
    QCOMPARE(changed.count(), 0); // not per keystroke
    QTRY_COMPARE(changed.count(), 1);
    QCOMPARE(QString::fromStdString(changed.at(0).at(0).value<EventFilter>().query()), QStringLiteral("type:order.*"));
    QCOMPARE(QString::fromStdString(bar.filter().query()), QStringLiteral("type:order.*"));
    QVERIFY(bar.errorText().isEmpty());
    // Typing on to the same filter emits nothing new.
    QTest::keyClicks(bar.lineEdit(), " ");
    QTest::qWait(2 * FilterBar::kPauseMs); // a pause long enough to apply: nothing must come
    QCOMPARE(changed.count(), 1);
}

void TstEventTableModel::filterBarShowsErrors()
{
    FilterBar bar;
    bar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&bar));
    QSignalSpy changed(&bar, &FilterBar::filterChanged);
    QTest::keyClicks(bar.lineEdit(), "sorce:x");
    QTRY_COMPARE(bar.errorText(), QStringLiteral("unknown field 'sorce' at 1 (did you mean 'source'?)"));
    QCOMPARE(bar.errorSpan(), (QPair<int, int>(0, 5)));
    QTest::keyClick(bar.lineEdit(), Qt::Key_Return);
    QCOMPARE(changed.count(), 0);

    // Spans count UTF-16 characters, the error's bytes converted.
    bar.setQuery(QStringLiteral("text:Zürich lag>"));
    QCOMPARE(bar.errorText(), QStringLiteral("expected a duration after 'lag>' at 16"));
    QCOMPARE(bar.errorSpan(), (QPair<int, int>(15, 1)));
    QCOMPARE(changed.count(), 0);

    // Fixing the query clears the error and applies it.
    bar.lineEdit()->setFocus();
    QTest::keyClicks(bar.lineEdit(), "1s");
    QTRY_COMPARE(changed.count(), 1);
    QVERIFY(bar.errorText().isEmpty());
    QCOMPARE(bar.errorSpan(), (QPair<int, int>(0, 0)));
}

void TstEventTableModel::filterBarEnterAndEscape()
{
    FilterBar bar;
    bar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&bar));
    QSignalSpy changed(&bar, &FilterBar::filterChanged);
    QTest::keyClicks(bar.lineEdit(), "is:skew");
    QTest::keyClick(bar.lineEdit(), Qt::Key_Return);
    QCOMPARE(changed.count(), 1); // at once, not after the pause
    QCOMPARE(QString::fromStdString(bar.filter().query()), QStringLiteral("is:skew"));
    QTest::keyClick(bar.lineEdit(), Qt::Key_Escape);
    QCOMPARE(bar.query(), QString());
    QCOMPARE(changed.count(), 2);
    QVERIFY(changed.at(1).at(0).value<EventFilter>().matchesEverything());

    // Ctrl+F (the window binds the action) focuses the line and selects the query.
    QCOMPARE(bar.focusAction()->shortcut(), QKeySequence(QKeySequence::Find));
    bar.setQuery(QStringLiteral("is:root"));
    bar.lineEdit()->clearFocus();
    bar.focusAction()->trigger();
    QTRY_VERIFY(bar.lineEdit()->hasFocus());
    QCOMPARE(bar.lineEdit()->selectedText(), QStringLiteral("is:root"));
}

void TstEventTableModel::filterBarSetQuery()
{
    FilterBar bar;
    QSignalSpy changed(&bar, &FilterBar::filterChanged);
    bar.setQuery(QStringLiteral("source:payment-service cause.type:order.placed"));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(bar.query(), QStringLiteral("source:payment-service cause.type:order.placed"));
    bar.setQuery(QStringLiteral("source:payment-service cause.type:order.placed"));
    QCOMPARE(changed.count(), 1); // the same filter again
    bar.clear();
    QCOMPARE(changed.count(), 2);
}

void TstEventTableModel::filterBarCompletesTypeNames()
{
    FilterBar bar;
    bar.setStore(&m_saga);
    bar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&bar));
    auto offered = [&] { return qobject_cast<QStringListModel *>(bar.completer()->model())->stringList(); };

    QTest::keyClicks(bar.lineEdit(), "is:root ty");
    QCOMPARE(offered(), QStringList{"type:"});
    emit bar.completer()->activated(QStringLiteral("type:"));
    QCOMPARE(bar.query(), QStringLiteral("is:root type:"));
    // A field is completed on with its values.
    QTRY_COMPARE(offered().size(), 8);
    QCOMPARE(offered().first(), QStringLiteral("type:inventory.reserved"));

    QTest::keyClicks(bar.lineEdit(), "or");
    QCOMPARE(offered(), (QStringList{"type:order.cancelled", "type:order.placed"}));
    emit bar.completer()->activated(QStringLiteral("type:order.placed"));
    QCOMPARE(bar.query(), QStringLiteral("is:root type:order.placed "));
    QCOMPARE(bar.lineEdit()->cursorPosition(), int(bar.query().size()));

    // The token at the cursor is replaced, not the text after it.
    bar.lineEdit()->setText(QStringLiteral("source:pay is:root"));
    bar.lineEdit()->setCursorPosition(10);
    QTest::keyClicks(bar.lineEdit(), "m");
    QCOMPARE(offered(), QStringList{"source:payment-service"});
    emit bar.completer()->activated(QStringLiteral("source:payment-service"));
    QCOMPARE(bar.query(), QStringLiteral("source:payment-service is:root"));
}

void TstEventTableModel::filterBarCounts()
{
    FilterBar bar;
    bar.setCounts(12345, 1000000);
    QCOMPARE(bar.countText(), QStringLiteral("12\u202F345 of 1\u202F000\u202F000"));
    bar.setCounts(17, 17);
    QCOMPARE(bar.countText(), QStringLiteral("17 rows"));
}

QTEST_MAIN(TstEventTableModel)
#include "tst_eventtablemodel.moc"
