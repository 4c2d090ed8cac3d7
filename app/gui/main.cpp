// eventlens: the desktop app. Wiring only: the window lives in ui/, everything it shows in core/.
#include "core/threadpriority.h"
#include "ui/mainwindow.h"
#include "ui/startoptions.h"

#include <QApplication>
#include <QTextStream>

int main(int argc, char **argv)
{
    // --help and --version answer without a display: read the arguments before Qt starts.
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    const eventlens::StartRequest request = eventlens::parseStartOptions(arguments);
    QTextStream out(stdout), err(stderr);
    if (request.help) {
        out << eventlens::startUsage();
        return 0;
    }
    if (request.version) {
        out << "eventlens " << EVENTLENS_VERSION << "\n";
        return 0;
    }
    if (!request.error.isEmpty()) {
        err << "eventlens: " << request.error << "\n" << eventlens::startUsage();
        return 2;
    }

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("EventLens"));
    QApplication::setApplicationName(QStringLiteral("eventlens"));
    QApplication::setApplicationDisplayName(QStringLiteral("EventLens"));
    QApplication::setApplicationVersion(QStringLiteral(EVENTLENS_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.eventlens.EventLens"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/eventlens.svg")));

    // Receiving, decoding and loading yield to the thread a person interacts with.
    eventlens::setBackgroundNice(5);
    eventlens::MainWindow window(request.options);
    window.show();
    return QApplication::exec();
}
