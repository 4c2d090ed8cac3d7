#pragma once

#include "core/zmqsource.h"

#include <QDialog>

#include <vector>

class QCheckBox;
class QLabel;
class QLineEdit;
class QTreeWidget;

namespace eventlens {

class Session;

/// The connection manager: the ZeroMQ endpoints a live session subscribes to, each with its
/// topic filters and its state as the socket monitor reports it (connected, retrying,
/// failed with the reason); add and remove them while the session runs. GUI thread.
class ConnectionDialog : public QDialog {
    Q_OBJECT
public:
    explicit ConnectionDialog(QWidget *parent = nullptr);

    /// The session to manage (nullptr when there is none: the dialog is read-only).
    void setSession(Session *session);
    /// Subscribes to an endpoint (what `--connect` and the Add button do).
    void addEndpoint(const ZmqSource::Endpoint &endpoint);
    void removeEndpoint(const QString &address);
    const std::vector<ZmqSource::Endpoint> &endpoints() const { return m_endpoints; }
    /// Re-reads every endpoint's state (the window calls it while the dialog is visible).
    void refresh();
    /// What the dialog warns about the endpoint being typed: a bind beyond loopback (refused
    /// without CURVE keys, insecure with --insecure), a bad server key. Empty when nothing.
    QString warning() const;

signals:
    void endpointsChanged();

private:
    void addFromFields();
    void updateWarning();

    Session *m_session = nullptr;
    std::vector<ZmqSource::Endpoint> m_endpoints;
    QTreeWidget *m_list;
    QLineEdit *m_address, *m_topics, *m_serverKey;
    QCheckBox *m_bind;
    QLabel *m_warning;
};

} // namespace eventlens
