#pragma once

// What the window's test units share: start-up options that never touch the default bus
// ports, and opening a recording the way a person does (in the background) and waiting.

#include "ui/mainwindow.h"
#include "ui/startoptions.h"

#include <QSignalSpy>
#include <QString>

inline eventlens::StartOptions testOptions()
{
    eventlens::StartOptions o;
    o.busOptions = {"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"}; // never the default ports in a test
    o.restoreLayout = false;
    return o;
}

/// Opens a recording and waits for it; false when it failed or took over 20 s.
inline bool openAndWait(eventlens::MainWindow &w, const QString &path)
{
    QSignalSpy opened(&w, &eventlens::MainWindow::recordingOpened);
    w.openRecording(path);
    return (opened.count() || opened.wait(20000)) && opened.at(0).at(1).toString().isEmpty();
}
