#include "core/curve.h"

#include "core/rfc3339.h"

#include <zmq.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace eventlens {

namespace {

constexpr std::string_view kZ85 =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

std::string certificate(const CurveKeyPair &pair, bool withSecret)
{
    char date[32] = {};
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    std::string text = "#   ****  Generated on " + std::string(date) + " by eventlens-cli keygen  ****\n";
    text += withSecret
                ? "#   ZeroMQ CURVE **Secret** Certificate\n#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change "
                  "its permissions.\n\n"
                : "#   ZeroMQ CURVE Public Certificate\n#   Exchange securely, or use a secure mechanism to "
                  "verify the contents\n#   of this file after exchange. Store public certificates in your "
                  "home\n#   directory, in the .curve subdirectory.\n\n";
    text += "metadata\ncurve\n    public-key = \"" + pair.publicKey + "\"\n";
    if (withSecret)
        text += "    secret-key = \"" + pair.secretKey + "\"\n";
    return text;
}

/// Creates `path` with `mode` (never overwriting) and writes `text`.
bool writeNewFile(const std::string &path, const std::string &text, mode_t mode, std::string &error)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        error = "cannot create " + path + ": " + std::strerror(errno)
                + (errno == EEXIST ? " (keys are never overwritten; choose another --out)" : "");
        return false;
    }
    ::fchmod(fd, mode); // whatever the umask
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            error = "cannot write " + path + ": " + std::strerror(errno);
            ::close(fd);
            return false;
        }
        done += size_t(n);
    }
    if (::close(fd) != 0) {
        error = "cannot write " + path + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

/// The quoted value of `name = "…"` on a certificate line, if the line holds it.
bool certificateValue(std::string_view line, std::string_view name, std::string &value)
{
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line.substr(start, name.size()) != name)
        return false;
    line.remove_prefix(start + name.size());
    const size_t open = line.find('"');
    const size_t close = open == std::string_view::npos ? open : line.find('"', open + 1);
    if (close == std::string_view::npos)
        return false;
    value = std::string(line.substr(open + 1, close - open - 1));
    return true;
}

std::string z85(const uint8_t *key)
{
    std::array<char, 41> text{};
    zmq_z85_encode(text.data(), key, 32);
    return std::string(text.data());
}

std::string shortKey(const std::string &key)
{
    return key.size() > 8 ? key.substr(0, 8) + "…" : key;
}

std::atomic<int> g_monitors{0};

} // namespace

bool curveAvailable()
{
    return zmq_has("curve") != 0;
}

CurveKeyPair generateCurveKeyPair()
{
    std::array<char, 41> pub{}, sec{};
    if (!curveAvailable() || zmq_curve_keypair(pub.data(), sec.data()) != 0)
        return {};
    return {pub.data(), sec.data()};
}

bool isCurveKey(std::string_view text)
{
    return text.size() == 40 && text.find_first_not_of(kZ85) == std::string_view::npos;
}

bool writeCurveKeyFiles(const std::string &base, const CurveKeyPair &pair, std::string &error)
{
    const std::string publicPath = base + ".key", secretPath = base + ".key_secret";
    for (const std::string &p : {publicPath, secretPath})
        if (std::filesystem::exists(p)) {
            error = "cannot create " + p + ": it exists (keys are never overwritten; choose another --out)";
            return false;
        }
    // The secret first: a public file without its secret would be a key nobody can use.
    if (!writeNewFile(secretPath, certificate(pair, true), 0600, error))
        return false;
    if (!writeNewFile(publicPath, certificate(pair, false), 0644, error)) {
        std::filesystem::remove(secretPath);
        return false;
    }
    return true;
}

bool readCurveKey(const std::string &keyOrFile, CurveKeyPair &pair, std::string &error)
{
    pair = {};
    if (isCurveKey(keyOrFile) && !std::filesystem::exists(keyOrFile)) {
        pair.publicKey = keyOrFile;
        return true;
    }
    std::ifstream in(keyOrFile);
    if (!in) {
        error = keyOrFile + ": not a key (40 Z85 characters) and not a readable key file: " + std::strerror(errno);
        return false;
    }
    std::string line, value;
    int number = 0, keyLines = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        std::string_view l = line;
        const size_t start = l.find_first_not_of(" \t");
        if (start == std::string_view::npos || l[start] == '#')
            continue;
        if (certificateValue(l, "public-key", value) || certificateValue(l, "secret-key", value)) {
            if (!isCurveKey(value)) {
                error = keyOrFile + ":" + std::to_string(number) + ": not a Z85 CURVE key (40 characters)";
                return false;
            }
            (l.substr(start).starts_with("public") ? pair.publicKey : pair.secretKey) = value;
        } else if (isCurveKey(l.substr(start, 40)) && l.find_first_not_of(" \t", start + 40) == std::string_view::npos
                   && ++keyLines == 1) {
            pair.publicKey = std::string(l.substr(start, 40)); // a file holding just the key
        }
    }
    if (pair.publicKey.empty() && !pair.secretKey.empty()) {
        std::array<char, 41> pub{};
        if (zmq_curve_public(pub.data(), pair.secretKey.c_str()) == 0)
            pair.publicKey = pub.data();
    }
    if (pair.publicKey.empty()) {
        error = keyOrFile
                + ": no CURVE key in it (expected a czmq certificate with public-key = \"…\", as "
                  "eventlens-cli keygen writes, or the 40-character key alone)";
        return false;
    }
    return true;
}

bool readCurveAllowList(const std::vector<std::string> &entries, std::vector<std::string> &keys, std::string &error)
{
    for (const std::string &entry : entries) {
        std::error_code ec;
        if (std::filesystem::is_directory(entry, ec)) {
            size_t found = 0;
            for (const auto &file : std::filesystem::directory_iterator(entry, ec)) {
                if (file.path().extension() != ".key")
                    continue;
                CurveKeyPair pair;
                if (!readCurveKey(file.path().string(), pair, error))
                    return false;
                keys.push_back(pair.publicKey);
                ++found;
            }
            if (found == 0) {
                error = entry + ": no *.key files (client public keys) in this directory";
                return false;
            }
            continue;
        }
        CurveKeyPair pair;
        if (!readCurveKey(entry, pair, error))
            return false;
        keys.push_back(pair.publicKey);
    }
    return true;
}

bool isLoopbackEndpoint(std::string_view endpoint)
{
    if (!endpoint.starts_with("tcp://"))
        return true; // inproc://, ipc://: never leave the machine
    std::string_view host = endpoint.substr(6);
    if (const size_t semicolon = host.find(';'); semicolon != std::string_view::npos)
        host = host.substr(semicolon + 1); // "source;destination": where it binds is the second
    host = host.substr(0, host.rfind(':'));
    return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host == "::1" || host.starts_with("127.");
}

std::string checkBind(const std::string &endpoint, const CurveOptions &options, std::string_view what,
                      std::string &warning)
{
    warning.clear();
    if (options.curve()) {
        if (!curveAvailable())
            return "cannot protect " + std::string(what) + " " + endpoint
                   + " with CURVE: this libzmq was built without CURVE (libsodium); bind 127.0.0.1, or pass "
                     "--insecure to accept anyone who can reach it";
        if (options.allowedClients.empty())
            return "no client may connect to " + std::string(what) + " " + endpoint
                   + ": CURVE is on but the allow-list is empty; add the clients' public keys with --allow "
                     "KEY|FILE|DIR (eventlens-cli keygen makes key pairs)";
        return {};
    }
    if (isLoopbackEndpoint(endpoint))
        return {};
    if (options.insecure) {
        warning = "INSECURE: " + std::string(what) + " " + endpoint
                  + " accepts anyone who can reach it, without authentication: any host can inject events or "
                    "exhaust memory";
        return {};
    }
    return "refusing to bind " + std::string(what) + " " + endpoint
           + " beyond loopback without authentication: make key pairs with 'eventlens-cli keygen --out NAME', give "
             "this side its key pair (--curve-key NAME.key_secret) and the clients' public keys (--allow "
             "CLIENT.key), or pass --insecure to accept anyone who can reach it; 127.0.0.1 keeps it on this machine";
}

// --- ZapHandler -----------------------------------------------------------------------

std::shared_ptr<ZapHandler> ZapHandler::of(zmq::context_t &context)
{
    static std::mutex mutex;
    static std::map<void *, std::weak_ptr<ZapHandler>> handlers;
    std::lock_guard lock(mutex);
    std::weak_ptr<ZapHandler> &slot = handlers[context.handle()];
    std::shared_ptr<ZapHandler> handler = slot.lock();
    if (!handler) {
        handler = std::make_shared<ZapHandler>(context);
        slot = handler;
    }
    return handler;
}

ZapHandler::ZapHandler(zmq::context_t &context) : m_context(context)
{
    static std::atomic<int> instances{0};
    const std::string control = "inproc://eventlens-zap-control-" + std::to_string(instances++);
    m_control = std::make_unique<zmq::socket_t>(m_context, zmq::socket_type::pair);
    m_control->set(zmq::sockopt::linger, 0);
    m_control->bind(control);
    // Bound here, before any CURVE socket can ask: a request without a handler would pass.
    auto rep = std::make_shared<zmq::socket_t>(m_context, zmq::socket_type::rep);
    rep->set(zmq::sockopt::linger, 0);
    rep->bind("inproc://zeromq.zap.01");
    m_thread = std::thread([this, control, rep] {
        zmq::socket_t pair(m_context, zmq::socket_type::pair);
        pair.set(zmq::sockopt::linger, 0);
        pair.connect(control);
        run(*rep, pair);
    });
}

ZapHandler::~ZapHandler()
{
    m_control->send(zmq::str_buffer("stop"), zmq::send_flags::none);
    m_thread.join();
}

std::string ZapHandler::addDomain(std::vector<std::string> clients, std::string endpoint)
{
    std::lock_guard lock(m_mutex);
    std::string name = "eventlens-" + std::to_string(m_nextDomain++);
    m_domains[name] = Domain{std::move(clients), std::move(endpoint), {}};
    return name;
}

void ZapHandler::removeDomain(const std::string &domain)
{
    std::lock_guard lock(m_mutex);
    m_domains.erase(domain);
}

void ZapHandler::refuse(const std::string &domain, CurveRefusal refusal)
{
    std::lock_guard lock(m_mutex);
    auto it = m_domains.find(domain);
    if (it == m_domains.end())
        return;
    Stats &s = it->second.stats;
    ++s.refused;
    if (refusal.timeNs == 0)
        refusal.timeNs = nowUtcNs();
    if (refusal.endpoint.empty())
        refusal.endpoint = it->second.endpoint;
    s.recent.push_back(std::move(refusal));
    if (s.recent.size() > kKeptRefusals)
        s.recent.erase(s.recent.begin());
}

ZapHandler::Stats ZapHandler::stats(const std::string &domain) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_domains.find(domain);
    return it == m_domains.end() ? Stats{} : it->second.stats;
}

std::string ZapHandler::decide(const std::string &domain, const std::string &address, const std::string &mechanism,
                               const std::string &key)
{
    std::string reason;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_domains.find(domain);
        if (it == m_domains.end()) {
            reason = "no CURVE endpoint of this process uses ZAP domain '" + domain + "'";
        } else if (mechanism != "CURVE") {
            reason = "mechanism " + mechanism + " instead of CURVE";
        } else if (std::find(it->second.clients.begin(), it->second.clients.end(), key) == it->second.clients.end()) {
            reason = "client key " + shortKey(key) + " is not on the allow-list";
        } else {
            ++it->second.stats.allowed;
            return {};
        }
    }
    refuse(domain, {nowUtcNs(), address, {}, reason});
    return reason;
}

void ZapHandler::run(zmq::socket_t &rep, zmq::socket_t &control)
{
    std::array<zmq::pollitem_t, 2> items{{{rep.handle(), 0, ZMQ_POLLIN, 0}, {control.handle(), 0, ZMQ_POLLIN, 0}}};
    std::vector<std::string> request;
    for (;;) {
        zmq::poll(items.data(), items.size(), std::chrono::milliseconds(-1));
        if (items[1].revents & ZMQ_POLLIN)
            return;
        if (!(items[0].revents & ZMQ_POLLIN))
            continue;
        // RFC 27: version, request id, domain, address, identity, mechanism, credentials…
        request.clear();
        zmq::message_t part;
        do {
            if (!rep.recv(part, zmq::recv_flags::dontwait))
                break;
            request.push_back(part.to_string());
        } while (part.more());
        if (request.size() < 6)
            continue; // not ZAP; REP needs a reply only to a whole request, which this was not
        std::string key;
        if (request.size() >= 7 && request[6].size() == 32)
            key = z85(reinterpret_cast<const uint8_t *>(request[6].data()));
        const std::string refusal = decide(request[2], request[3], request[5], key);
        const std::array<std::string, 6> reply{"1.0",
                                               request[1],
                                               refusal.empty() ? "200" : "400",
                                               refusal.empty() ? "OK" : refusal,
                                               refusal.empty() ? key : "",
                                               ""};
        for (size_t i = 0; i < reply.size(); ++i)
            rep.send(zmq::buffer(reply[i]), i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
}

// --- CurveHandshakeWatch --------------------------------------------------------------

const int CurveHandshakeWatch::kEvents = ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;

CurveHandshakeWatch::CurveHandshakeWatch(zmq::context_t &context, zmq::socket_t &socket,
                                         std::shared_ptr<ZapHandler> zap, std::string domain, std::string endpoint)
    : m_socket(&socket), m_zap(std::move(zap)), m_domain(std::move(domain)), m_endpoint(std::move(endpoint))
{
    const std::string address = "inproc://eventlens-curve-monitor-" + std::to_string(g_monitors++);
    // Refusals by ZAP (HANDSHAKE_FAILED_AUTH) are counted by the handler, with the address.
    zmq_socket_monitor(socket.handle(), address.c_str(), kEvents);
    m_monitor = std::make_unique<zmq::socket_t>(context, zmq::socket_type::pair);
    m_monitor->set(zmq::sockopt::linger, 0);
    m_monitor->connect(address);
}

CurveHandshakeWatch::CurveHandshakeWatch(std::shared_ptr<ZapHandler> zap, std::string domain, std::string endpoint)
    : m_zap(std::move(zap)), m_domain(std::move(domain)), m_endpoint(std::move(endpoint))
{ }

CurveHandshakeWatch::~CurveHandshakeWatch()
{
    if (m_socket)
        zmq_socket_monitor(m_socket->handle(), nullptr, 0);
}

void *CurveHandshakeWatch::handle() const
{
    return m_monitor->handle();
}

void CurveHandshakeWatch::read()
{
    zmq::message_t event, address;
    while (m_monitor && m_monitor->recv(event, zmq::recv_flags::dontwait)) {
        if (event.more())
            (void)m_monitor->recv(address);
        uint16_t id = 0;
        uint32_t value = 0;
        if (event.size() >= 6) {
            std::memcpy(&id, event.data(), 2);
            std::memcpy(&value, static_cast<const char *>(event.data()) + 2, 4);
        }
        handle(id, value);
    }
}

void CurveHandshakeWatch::handle(uint16_t id, uint32_t value)
{
    std::string reason;
    if (id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        reason = value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH
                     ? "no CURVE (a plain client, or another mechanism)"
                     : "CURVE handshake failed (protocol error " + std::to_string(value) + ")";
    else if (id == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
        // The peer hung up mid-greeting: usually a plain client that saw our CURVE greeting first.
        reason = "no CURVE handshake completed (" + std::string(zmq_strerror(int(value)))
                 + "): a plain client, or one that hung up";
    else
        return;
    // libzmq 4.3 reports the endpoint, not the peer, for a handshake that fails before ZAP.
    m_zap->refuse(m_domain, {nowUtcNs(), "a client (address not reported by libzmq)", m_endpoint, reason});
}

} // namespace eventlens
