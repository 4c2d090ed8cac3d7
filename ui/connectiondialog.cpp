#include "ui/connectiondialog.h"

#include "core/session.h"

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
    form->addRow(tr("Endpoint"), m_address);
    form->addRow(tr("Topics"), m_topics);
    form->addRow(QString(), m_bind);
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
    for (const QString &t : m_topics->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!t.trimmed().isEmpty())
            e.topics.push_back(t.trimmed().toStdString());
    addEndpoint(e);
    m_address->clear();
    m_topics->clear();
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
        item->setText(2, e.bind ? tr("bind") : tr("connect"));
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
