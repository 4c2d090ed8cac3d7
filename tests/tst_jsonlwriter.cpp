#include <QtTest>
class Tstjsonlwriter : public QObject { Q_OBJECT };
QTEST_GUILESS_MAIN(Tstjsonlwriter)
#include "tst_jsonlwriter.moc"
