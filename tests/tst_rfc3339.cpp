// Tests for the RFC 3339 parser and formatter (core/rfc3339.h): the exact UTC nanoseconds a
// timestamp stands for, every shape that must be refused, and the text the recorder writes.
// Expected instants come from QDate (an independent calendar), not from the code under test.

#include "core/rfc3339.h"

#include <QDate>
#include <QtTest>

#include <limits>
#include <string_view>

using namespace eventlens;

namespace {

constexpr qint64 kNs = 1'000'000'000;

/// UTC nanoseconds of a civil date-time, computed with QDate's Julian day numbers.
qint64 utcNs(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0, qint64 ns = 0)
{
    const QDate date(y, m, d);
    Q_ASSERT(date.isValid());
    const qint64 days = date.toJulianDay() - QDate(1970, 1, 1).toJulianDay();
    return ((days * 86400 + hh * 3600 + mm * 60 + ss) * kNs) + ns;
}

std::string_view view(const QByteArray &bytes)
{
    return std::string_view(bytes.constData(), static_cast<size_t>(bytes.size()));
}

} // namespace

class TestRfc3339 : public QObject {
    Q_OBJECT

private slots:
    void accepts_data();
    void accepts();
    void rejects_data();
    void rejects();
    void leapSecondCountsAsNextSecond();
    void format_data();
    void format();
    void everyDayRoundTrips();
};

void TestRfc3339::accepts_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("expectedNs");

    // Separators and zone designators.
    QTest::newRow("epoch, Z") << QByteArray("1970-01-01T00:00:00Z") << qint64(0);
    QTest::newRow("well-known instant 2024-01-01Z") << QByteArray("2024-01-01T00:00:00Z") << 1'704'067'200 * kNs;
    QTest::newRow("lower-case z") << QByteArray("2024-01-01T00:00:00z") << 1'704'067'200 * kNs;
    QTest::newRow("lower-case t") << QByteArray("2024-01-01t00:00:00Z") << 1'704'067'200 * kNs;
    QTest::newRow("space between date and time") << QByteArray("2024-01-01 00:00:00Z") << 1'704'067'200 * kNs;
    QTest::newRow("afternoon") << QByteArray("2026-11-26T13:01:23Z") << utcNs(2026, 11, 26, 13, 1, 23);

    // Offsets: local time minus the offset is UTC.
    QTest::newRow("offset +05:30") << QByteArray("2024-03-10T17:30:00+05:30") << utcNs(2024, 3, 10, 12);
    QTest::newRow("offset -08:00") << QByteArray("2024-03-10T04:00:00-08:00") << utcNs(2024, 3, 10, 12);
    QTest::newRow("offset +00:00") << QByteArray("2024-03-10T12:00:00+00:00") << utcNs(2024, 3, 10, 12);
    QTest::newRow("offset -00:00 (unknown local offset)")
        << QByteArray("2024-03-10T12:00:00-00:00") << utcNs(2024, 3, 10, 12);
    QTest::newRow("offset +23:59, the largest") << QByteArray("2024-03-10T23:59:00+23:59") << utcNs(2024, 3, 10);
    QTest::newRow("offset -23:59, the smallest")
        << QByteArray("2024-03-10T00:00:00-23:59") << utcNs(2024, 3, 10, 23, 59);
    QTest::newRow("offset moves back across new year")
        << QByteArray("2024-01-01T01:00:00+02:00") << utcNs(2023, 12, 31, 23);
    QTest::newRow("offset moves forward across new year")
        << QByteArray("2023-12-31T20:00:00-05:00") << utcNs(2024, 1, 1, 1);
    QTest::newRow("offset with fraction")
        << QByteArray("2026-11-26T13:01:23.123456789+01:00") << utcNs(2026, 11, 26, 12, 1, 23, 123'456'789);

    // Fractions: any number of digits; beyond nanoseconds they are truncated, not rounded.
    QTest::newRow("fraction 1 digit") << QByteArray("2024-01-01T00:00:00.5Z")
                                      << utcNs(2024, 1, 1, 0, 0, 0, 500'000'000);
    QTest::newRow("fraction 2 digits") << QByteArray("2024-01-01T00:00:00.12Z")
                                       << utcNs(2024, 1, 1, 0, 0, 0, 120'000'000);
    QTest::newRow("fraction 3 digits") << QByteArray("2024-01-01T00:00:00.123Z")
                                       << utcNs(2024, 1, 1, 0, 0, 0, 123'000'000);
    QTest::newRow("fraction 4 digits") << QByteArray("2024-01-01T00:00:00.1234Z")
                                       << utcNs(2024, 1, 1, 0, 0, 0, 123'400'000);
    QTest::newRow("fraction 6 digits") << QByteArray("2024-01-01T00:00:00.123456Z")
                                       << utcNs(2024, 1, 1, 0, 0, 0, 123'456'000);
    QTest::newRow("fraction 9 digits") << QByteArray("2024-01-01T00:00:00.123456789Z")
                                       << utcNs(2024, 1, 1, 0, 0, 0, 123'456'789);
    QTest::newRow("fraction 10 digits, truncated")
        << QByteArray("2024-01-01T00:00:00.1234567891Z") << utcNs(2024, 1, 1, 0, 0, 0, 123'456'789);
    QTest::newRow("fraction 12 digits, truncated not rounded")
        << QByteArray("2024-01-01T00:00:00.999999999999Z") << utcNs(2024, 1, 1, 0, 0, 0, 999'999'999);
    QTest::newRow("fraction one nanosecond")
        << QByteArray("2024-01-01T00:00:00.000000001Z") << utcNs(2024, 1, 1, 0, 0, 0, 1);
    QTest::newRow("fraction all zeros") << QByteArray("2024-01-01T00:00:00.000Z") << utcNs(2024, 1, 1);
    QTest::newRow("fraction with lower-case z")
        << QByteArray("2024-01-01T00:00:00.25z") << utcNs(2024, 1, 1, 0, 0, 0, 250'000'000);

    // Calendar.
    QTest::newRow("Feb 29 in a leap year (2024)") << QByteArray("2024-02-29T12:00:00Z") << utcNs(2024, 2, 29, 12);
    QTest::newRow("Feb 29 in a 400-year leap year (2000)") << QByteArray("2000-02-29T00:00:00Z") << utcNs(2000, 2, 29);
    QTest::newRow("Mar 1 after a leap day") << QByteArray("2024-03-01T00:00:00Z") << utcNs(2024, 3, 1);
    QTest::newRow("day 366 of a leap year") << QByteArray("2024-12-31T23:59:59Z") << utcNs(2024, 12, 31, 23, 59, 59);
    QTest::newRow("Apr 30") << QByteArray("2023-04-30T00:00:00Z") << utcNs(2023, 4, 30);
    QTest::newRow("Jan 31") << QByteArray("2023-01-31T00:00:00Z") << utcNs(2023, 1, 31);
    QTest::newRow("last second of a day") << QByteArray("2023-06-15T23:59:59Z") << utcNs(2023, 6, 15, 23, 59, 59);

    // Leap seconds count as the next second.
    QTest::newRow("leap second 2016-12-31T23:59:60Z") << QByteArray("2016-12-31T23:59:60Z") << 1'483'228'800 * kNs;
    QTest::newRow("leap second with fraction")
        << QByteArray("2016-12-31T23:59:60.5Z") << 1'483'228'800 * kNs + 500'000'000;
    QTest::newRow("leap second with offset") << QByteArray("2017-01-01T00:59:60+01:00") << 1'483'228'800 * kNs;

    // Before the epoch and the edges of the supported range (1678..2261).
    QTest::newRow("one second before the epoch") << QByteArray("1969-12-31T23:59:59Z") << -kNs;
    QTest::newRow("half a second before the epoch") << QByteArray("1969-12-31T23:59:59.5Z") << qint64(-500'000'000);
    QTest::newRow("1900-01-01") << QByteArray("1900-01-01T00:00:00Z") << qint64(-2'208'988'800) * kNs;
    QTest::newRow("first supported instant 1678-01-01") << QByteArray("1678-01-01T00:00:00Z") << utcNs(1678, 1, 1);
    QTest::newRow("1678-01-01 with the largest offset")
        << QByteArray("1678-01-01T00:00:00+23:59") << utcNs(1677, 12, 31, 0, 1);
    QTest::newRow("last supported instant 2261-12-31")
        << QByteArray("2261-12-31T23:59:59.999999999Z") << utcNs(2261, 12, 31, 23, 59, 59, 999'999'999);
    QTest::newRow("2261-12-31 with the smallest offset")
        << QByteArray("2261-12-31T23:59:59-23:59") << utcNs(2262, 1, 1, 23, 58, 59);
}

void TestRfc3339::accepts()
{
    QFETCH(QByteArray, text);
    QFETCH(qint64, expectedNs);
    const std::optional<int64_t> ns = parseRfc3339(view(text));
    QVERIFY2(ns.has_value(), text.constData());
    QCOMPARE(qint64(*ns), expectedNs);
}

void TestRfc3339::rejects_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("a word") << QByteArray("yesterday");
    QTest::newRow("date only") << QByteArray("2024-01-01");
    QTest::newRow("no offset") << QByteArray("2024-01-01T00:00:00");
    QTest::newRow("no offset after a fraction") << QByteArray("2024-01-01T00:00:00.123");
    QTest::newRow("no seconds") << QByteArray("2024-01-01T00:00Z");
    QTest::newRow("month 13") << QByteArray("2024-13-01T00:00:00Z");
    QTest::newRow("month 00") << QByteArray("2024-00-01T00:00:00Z");
    QTest::newRow("day 32") << QByteArray("2024-01-32T00:00:00Z");
    QTest::newRow("day 00") << QByteArray("2024-01-00T00:00:00Z");
    QTest::newRow("Apr 31") << QByteArray("2023-04-31T00:00:00Z");
    QTest::newRow("Feb 29 in a common year (2023)") << QByteArray("2023-02-29T00:00:00Z");
    QTest::newRow("Feb 29 in a century year (1900)") << QByteArray("1900-02-29T00:00:00Z");
    QTest::newRow("Feb 30 in a leap year") << QByteArray("2024-02-30T00:00:00Z");
    QTest::newRow("hour 24") << QByteArray("2024-01-01T24:00:00Z");
    QTest::newRow("minute 60") << QByteArray("2024-01-01T00:60:00Z");
    QTest::newRow("second 61") << QByteArray("2024-01-01T00:00:61Z");
    QTest::newRow("year 1677 (before int64 ns)") << QByteArray("1677-12-31T23:59:59Z");
    QTest::newRow("year 2262 (after int64 ns)") << QByteArray("2262-01-01T00:00:00Z");
    QTest::newRow("year 0000") << QByteArray("0000-01-01T00:00:00Z");
    QTest::newRow("year 9999") << QByteArray("9999-12-31T23:59:59Z");
    QTest::newRow("five-digit year") << QByteArray("12024-01-01T00:00:00Z");
    QTest::newRow("signed year") << QByteArray("+2024-01-01T00:00:00Z");
    QTest::newRow("two-digit year") << QByteArray("24-01-01T00:00:00Z");
    QTest::newRow("one-digit month") << QByteArray("2024-1-01T00:00:00Z");
    QTest::newRow("one-digit hour") << QByteArray("2024-01-01T0:00:00Z");
    QTest::newRow("slashes in the date") << QByteArray("2024/01/01T00:00:00Z");
    QTest::newRow("basic format without separators") << QByteArray("20240101T000000Z");
    QTest::newRow("underscore instead of T") << QByteArray("2024-01-01_00:00:00Z");
    QTest::newRow("dots in the time") << QByteArray("2024-01-01T00.00.00Z");
    QTest::newRow("dot without fraction digits") << QByteArray("2024-01-01T00:00:00.Z");
    QTest::newRow("comma as decimal mark") << QByteArray("2024-01-01T00:00:00,5Z");
    QTest::newRow("letter in the fraction") << QByteArray("2024-01-01T00:00:00.12a4Z");
    QTest::newRow("offset without colon") << QByteArray("2024-01-01T00:00:00+0530");
    QTest::newRow("offset hours only") << QByteArray("2024-01-01T00:00:00+05");
    QTest::newRow("offset with one minute digit") << QByteArray("2024-01-01T00:00:00+05:3");
    QTest::newRow("offset hour 24") << QByteArray("2024-01-01T00:00:00+24:00");
    QTest::newRow("offset minute 60") << QByteArray("2024-01-01T00:00:00+05:60");
    QTest::newRow("offset with seconds") << QByteArray("2024-01-01T00:00:00+05:30:00");
    QTest::newRow("zone name instead of offset") << QByteArray("2024-01-01T00:00:00UTC");
    QTest::newRow("Z then offset") << QByteArray("2024-01-01T00:00:00Z+01:00");
    QTest::newRow("text after Z") << QByteArray("2024-01-01T00:00:00Zx");
    QTest::newRow("trailing space") << QByteArray("2024-01-01T00:00:00Z ");
    QTest::newRow("leading space") << QByteArray(" 2024-01-01T00:00:00Z");
    QTest::newRow("trailing NUL byte") << QByteArray("2024-01-01T00:00:00Z\0", 21);
    QTest::newRow("full-width digits") << QByteArray("２０２４-01-01T00:00:00Z");
}

void TestRfc3339::rejects()
{
    QFETCH(QByteArray, text);
    const std::optional<int64_t> ns = parseRfc3339(view(text));
    QVERIFY2(!ns.has_value(), qPrintable(QStringLiteral("accepted as %1 ns").arg(ns.value_or(0))));
}

void TestRfc3339::leapSecondCountsAsNextSecond()
{
    QCOMPARE(parseRfc3339("2016-12-31T23:59:60Z"), parseRfc3339("2017-01-01T00:00:00Z"));
    QCOMPARE(parseRfc3339("2015-06-30T23:59:60.25Z"), parseRfc3339("2015-07-01T00:00:00.25Z"));
}

void TestRfc3339::format_data()
{
    QTest::addColumn<qint64>("ns");
    QTest::addColumn<int>("digits");
    QTest::addColumn<QString>("expected");

    QTest::newRow("epoch, 9 digits") << qint64(0) << 9 << "1970-01-01T00:00:00.000000000Z";
    QTest::newRow("epoch, no fraction") << qint64(0) << 0 << "1970-01-01T00:00:00Z";
    const qint64 t = utcNs(2024, 1, 1, 0, 0, 0, 123'456'789);
    QTest::newRow("milliseconds") << t << 3 << "2024-01-01T00:00:00.123Z";
    QTest::newRow("microseconds") << t << 6 << "2024-01-01T00:00:00.123456Z";
    QTest::newRow("nanoseconds") << t << 9 << "2024-01-01T00:00:00.123456789Z";
    QTest::newRow("no fraction drops it") << t << 0 << "2024-01-01T00:00:00Z";
    QTest::newRow("milliseconds truncate, never round up") << qint64(999'999'999) << 3 << "1970-01-01T00:00:00.999Z";
    QTest::newRow("one nanosecond before the epoch") << qint64(-1) << 9 << "1969-12-31T23:59:59.999999999Z";
    QTest::newRow("half a second before the epoch") << qint64(-500'000'000) << 3 << "1969-12-31T23:59:59.500Z";
    QTest::newRow("leap day afternoon") << utcNs(2024, 2, 29, 12, 34, 56) << 0 << "2024-02-29T12:34:56Z";
    QTest::newRow("last second of a leap year") << utcNs(2024, 12, 31, 23, 59, 59) << 0 << "2024-12-31T23:59:59Z";
    QTest::newRow("largest int64") << std::numeric_limits<qint64>::max() << 9 << "2262-04-11T23:47:16.854775807Z";
    QTest::newRow("smallest int64") << std::numeric_limits<qint64>::min() << 9 << "1677-09-21T00:12:43.145224192Z";
}

void TestRfc3339::format()
{
    QFETCH(qint64, ns);
    QFETCH(int, digits);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(formatRfc3339(ns, digits)), expected);
}

void TestRfc3339::everyDayRoundTrips()
{
    // Every day of the supported range, at a time of day and fraction that change with the
    // day: the formatted date matches QDate, and parsing gives back the same nanoseconds.
    const QDate first(1678, 1, 1), last(2261, 12, 31);
    int checked = 0;
    for (QDate day = first; day <= last; day = day.addDays(1)) {
        const qint64 index = first.daysTo(day);
        const int seconds = static_cast<int>((index * 7919) % 86400);
        const qint64 fraction = (index * 104'729'831) % kNs;
        const qint64 ns = utcNs(day.year(), day.month(), day.day()) + seconds * kNs + fraction;
        QCOMPARE(daysFromCivil(day.year(), static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day())),
            day.toJulianDay() - QDate(1970, 1, 1).toJulianDay());

        const std::string text = formatRfc3339(ns, 9);
        const QString expected = day.toString(u"yyyy-MM-dd") + u'T' + QTime(0, 0).addSecs(seconds).toString(u"HH:mm:ss")
            + u'.' + QStringLiteral("%1").arg(fraction, 9, 10, QLatin1Char('0')) + u'Z';
        QCOMPARE(QString::fromStdString(text), expected);
        const std::optional<int64_t> back = parseRfc3339(text);
        QVERIFY(back.has_value());
        QCOMPARE(qint64(*back), ns);
        ++checked;
    }
    QCOMPARE(checked, static_cast<int>(first.daysTo(last)) + 1);
}

QTEST_GUILESS_MAIN(TestRfc3339)
#include "tst_rfc3339.moc"
