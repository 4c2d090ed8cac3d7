#include "ui/connectiondialog.h"

#include "core/curve.h"
#include "core/session.h"
#include "ui/uitext.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace eventlens {

namespace {

QColor stateColor(ZmqSource::State s)
{
    switch (s) {
    case ZmqSource::State::Connected:
    case ZmqSource::State::Listening:
        return QColor(0x2e, 0x7d, 0x32);
    case ZmqSource::State::Failed:
        return QColor(0xc6, 0x28, 0x28);
    default:
        return QColor(0xef, 0x6c, 0x00);
    }
}

QString join(const std::vector<std::string> &topics)
{
    QStringList l;
    for (const std::string &t : topics)
        l << QString::fromStdString(t);
    return l.isEmpty() ? QObject::tr("(everything)") : l.join(QStringLiteral(", "));
}

} // namespace

ConnectionDialog::ConnectionDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Connections"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("ZeroMQ publishers this session subscribes to. Frames may be [topic, json] or [json]; "
                                "topic filters are prefixes."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_list = new QTreeWidget(this);
    m_list->setHeaderLabels({tr("Endpoint"), tr("Topics"), tr("Mode"), tr("State")});
    m_list->setRootIsDecorated(false);
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    layout->addWidget(m_list, 1);

    auto *form = new QFormLayout;
    m_address = new QLineEdit(this);
    m_address->setPlaceholderText(QStringLiteral("tcp://127.0.0.1:5556"));
    m_topics = new QLineEdit(this);
    m_topics->setPlaceholderText(tr("order., payment.  (comma-separated prefixes; empty = everything)"));
    m_bind = new QCheckBox(tr("Bind (publishers connect to EventLens)"), this);
    m_serverKey = new QLineEdit(this);
    m_serverKey->setPlaceholderText(tr("the server's CURVE public key, or its NAME.key file (empty: no CURVE)"));
    m_warning = new QLabel(this);
    m_warning->setWordWrap(true);
    m_warning->setStyleSheet(QStringLiteral("color: #c62828"));
    m_warning->hide();
    form->addRow(tr("Endpoint"), m_address);
    form->addRow(tr("Topics"), m_topics);
    form->addRow(tr("Server key"), m_serverKey);
    form->addRow(QString(), m_bind);
    form->addRow(QString(), m_warning);
    layout->addLayout(form);

    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(tr("&Add"), this);
    auto *remove = new QPushButton(tr("&Remove"), this);
    auto *close = new QPushButton(tr("Close"), this);
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch();
    buttons->addWidget(close);
    layout->addLayout(buttons);
    add->setDefault(true);

    connect(add, &QPushButton::clicked, this, &ConnectionDialog::addFromFields);
    connect(m_address, &QLineEdit::returnPressed, this, &ConnectionDialog::addFromFields);
    connect(remove, &QPushButton::clicked, this, [this] {
        if (QTreeWidgetItem *item = m_list->currentItem())
            removeEndpoint(item->text(0));
    });
    connect(close, &QPushButton::clicked, this, &QDialog::accept);
    connect(m_address, &QLineEdit::textChanged, this, &ConnectionDialog::updateWarning);
    connect(m_serverKey, &QLineEdit::textChanged, this, &ConnectionDialog::updateWarning);
    connect(m_bind, &QCheckBox::toggled, this, &ConnectionDialog::updateWarning);
    resize(640, 360);
}

void ConnectionDialog::setSession(Session *session)
{
    m_session = session;
    refresh();
}

void ConnectionDialog::addFromFields()
{
    const QString address = m_address->text().trimmed();
    if (address.isEmpty())
        return;
    ZmqSource::Endpoint e;
    e.address = address.toStdString();
    e.bind = m_bind->isChecked();
    if (!e.bind && !m_serverKey->text().trimmed().isEmpty()) {
        CurveKeyPair server;
        std::string error;
        if (!readCurveKey(m_serverKey->text().trimmed().toStdString(), server, error)) {
            updateWarning(); // says why; nothing is added
            return;
        }
        e.serverKey = server.publicKey;
    }
    for (const QString &t : m_topics->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!t.trimmed().isEmpty())
            e.topics.push_back(t.trimmed().toStdString());
    addEndpoint(e);
    m_address->clear();
    m_topics->clear();
    m_serverKey->clear();
}

QString ConnectionDialog::warning() const
{
    const std::string address = m_address->text().trimmed().toStdString();
    if (address.empty())
        return {};
    if (m_bind->isChecked()) {
        std::string warning;
        const CurveOptions curve = m_session ? m_session->curve() : CurveOptions{};
        const std::string refusal = checkBind(address, curve, "the endpoint", warning);
        if (!refusal.empty())
            return tr("Will be refused: %1").arg(qs(refusal));
        if (!warning.empty())
            return qs(warning);
        if (curve.curve() && !isLoopbackEndpoint(address))
            return tr("Reachable from other machines: CURVE lets in only the %n allow-listed client key(s)", nullptr,
                      int(curve.allowedClients.size()));
        return {};
    }
    if (!m_serverKey->text().trimmed().isEmpty()) {
        CurveKeyPair server;
        std::string error;
        if (!readCurveKey(m_serverKey->text().trimmed().toStdString(), server, error))
            return tr("Server key: %1").arg(qs(error));
    }
    return {};
}

void ConnectionDialog::updateWarning()
{
    const QString w = warning();
    m_warning->setText(w);
    m_warning->setVisible(!w.isEmpty());
    m_serverKey->setEnabled(!m_bind->isChecked());
}

void ConnectionDialog::addEndpoint(const ZmqSource::Endpoint &endpoint)
{
    if (!m_session)
        return;
    std::erase_if(m_endpoints, [&](const ZmqSource::Endpoint &e) { return e.address == endpoint.address; });
    m_endpoints.push_back(endpoint);
    m_session->connect(endpoint);
    refresh();
    emit endpointsChanged();
}

void ConnectionDialog::removeEndpoint(const QString &address)
{
    const std::string a = address.toStdString();
    std::erase_if(m_endpoints, [&](const ZmqSource::Endpoint &e) { return e.address == a; });
    if (m_session)
        m_session->disconnect(a);
    refresh();
    emit endpointsChanged();
}

void ConnectionDialog::refresh()
{
    const std::vector<ZmqSource::EndpointState> states =
        m_session ? m_session->endpoints() : std::vector<ZmqSource::EndpointState>{};
    const QString current = m_list->currentItem() ? m_list->currentItem()->text(0) : QString();
    m_list->clear();
    for (const ZmqSource::Endpoint &e : m_endpoints) {
        auto *item = new QTreeWidgetItem(m_list);
        item->setText(0, QString::fromStdString(e.address));
        item->setText(1, join(e.topics));
        item->setText(2, e.bind ? tr("bind") : e.serverKey.empty() ? tr("connect") : tr("connect (CURVE)"));
        QString state = tr("starting");
        for (const ZmqSource::EndpointState &s : states)
            if (s.address == e.address) {
                state = QString::fromLatin1(ZmqSource::stateName(s.state));
                if (!s.detail.empty())
                    state += QStringLiteral(": ") + QString::fromStdString(s.detail);
                item->setForeground(3, stateColor(s.state));
            }
        item->setText(3, state);
        item->setToolTip(3, state);
        if (item->text(0) == current)
            m_list->setCurrentItem(item);
    }
}

} // namespace eventlens
