#include <QtTest>
class Tstrfc3339 : public QObject { Q_OBJECT };
QTEST_GUILESS_MAIN(Tstrfc3339)
#include "tst_rfc3339.moc"
