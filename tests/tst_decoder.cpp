#include <QtTest>
class Tstdecoder : public QObject { Q_OBJECT };
QTEST_GUILESS_MAIN(Tstdecoder)
#include "tst_decoder.moc"
