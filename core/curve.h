#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace zmq {
class context_t;
class socket_t;
} // namespace zmq

namespace eventlens {

/// A CURVE key pair, both keys in Z85 (40 characters each). The secret key may be empty
/// when only the public half is known (an allow-listed client, a server to connect to).
struct CurveKeyPair {
    std::string publicKey;
    std::string secretKey;
    bool empty() const { return publicKey.empty() && secretKey.empty(); }
};

/// Whether this libzmq can do CURVE (zmq_has("curve"): built with libsodium, as Debian's is).
bool curveAvailable();
/// A new key pair (zmq_curve_keypair). Empty when CURVE is not available.
CurveKeyPair generateCurveKeyPair();
/// Whether `text` is a Z85-encoded 32-byte key (40 characters of the Z85 alphabet).
bool isCurveKey(std::string_view text);

/// Writes a key pair as czmq-style certificate files: `<base>.key` (public, mode 0644) and
/// `<base>.key_secret` (both keys, mode 0600, created with that mode). Never overwrites:
/// false, with `error` naming the file, when either exists or cannot be written.
bool writeCurveKeyFiles(const std::string &base, const CurveKeyPair &pair, std::string &error);
/// Reads a key given as itself (40 Z85 characters) or as a file: a czmq certificate
/// (`public-key = "…"`, and `secret-key = "…"` in a `.key_secret` file) or a file holding
/// just the key. `error` names the file (and line) when it holds no valid key.
bool readCurveKey(const std::string &keyOrFile, CurveKeyPair &pair, std::string &error);
/// Client public keys for an allow-list: each entry a key, a key file, or a directory whose
/// `*.key` files are read (czmq's "certificate store"). `error` names the bad entry.
bool readCurveAllowList(const std::vector<std::string> &entries, std::vector<std::string> &keys, std::string &error);

/// Whether a tcp endpoint stays on this machine (loopback; inproc:// and ipc:// too).
bool isLoopbackEndpoint(std::string_view endpoint);

/// How what EventLens binds is protected, and how it identifies itself where it connects.
/// Binding beyond loopback needs `serverKey` (with a secret) and a non-empty
/// `allowedClients`, or `insecure`. With a server key, CURVE is used on loopback too.
struct CurveOptions {
    CurveKeyPair serverKey;                  ///< our key pair where we bind (bus, a binding source)
    std::vector<std::string> allowedClients; ///< Z85 client public keys that may connect to what we bind
    CurveKeyPair clientKey;                  ///< our key pair where we connect to a CURVE server
    bool insecure = false;                   ///< allow plain binds beyond loopback (explicitly asked for)
    bool curve() const { return !serverKey.secretKey.empty(); }
};

/// What to do before binding `endpoint` with `options`: "" when the bind may go ahead;
/// otherwise the refusal, saying what to do (`what` names the socket, e.g. "the bus's
/// publishers endpoint"). `warning` is set for an insecure bind beyond loopback.
std::string checkBind(const std::string &endpoint, const CurveOptions &options, std::string_view what,
                      std::string &warning);

/// A client refused at a CURVE endpoint: who, where, why.
struct CurveRefusal {
    int64_t timeNs = 0;
    std::string peer;     ///< the client's address, as ZAP or the socket reports it
    std::string endpoint; ///< the endpoint it reached
    std::string reason;   ///< e.g. "key Abc… is not allowed", "no CURVE (plain client)"
};

/// The ZAP (ZeroMQ Authentication Protocol, RFC 27) handler of one context: a REP socket on
/// inproc://zeromq.zap.01 on its own thread, answering for every CURVE socket of that
/// context. Each socket registers a domain with its allow-list; only allow-listed client
/// keys pass, and every refusal is counted with the peer's address. One per context
/// (ZeroMQ has one ZAP endpoint per context): get it with of().
class ZapHandler {
public:
    struct Stats {
        uint64_t allowed = 0;
        uint64_t refused = 0;
        std::vector<CurveRefusal> recent; ///< the last kKeptRefusals refusals, oldest first
    };
    static constexpr size_t kKeptRefusals = 50;

    /// The handler of `context`, started on first use; it lives while anyone holds it.
    static std::shared_ptr<ZapHandler> of(zmq::context_t &context);
    explicit ZapHandler(zmq::context_t &context); ///< use of()
    ~ZapHandler();
    ZapHandler(const ZapHandler &) = delete;
    ZapHandler &operator=(const ZapHandler &) = delete;

    /// A new domain (set it as the socket's ZMQ_ZAP_DOMAIN) allowing `clients` at `endpoint`.
    std::string addDomain(std::vector<std::string> clients, std::string endpoint);
    void removeDomain(const std::string &domain);
    /// Counts a refusal libzmq decided without asking ZAP (a plain client at a CURVE socket).
    void refuse(const std::string &domain, CurveRefusal refusal);
    Stats stats(const std::string &domain) const;

private:
    struct Domain {
        std::vector<std::string> clients;
        std::string endpoint;
        Stats stats;
    };
    void run(zmq::socket_t &rep, zmq::socket_t &control);
    std::string decide(const std::string &domain, const std::string &address, const std::string &mechanism,
                       const std::string &key);

    zmq::context_t &m_context;
    std::unique_ptr<zmq::socket_t> m_control;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::map<std::string, Domain> m_domains;
    int m_nextDomain = 0;
};

/// Watches one CURVE socket's handshakes (a monitor read on the socket's thread) and counts,
/// in its ZAP domain, the clients libzmq refuses before asking ZAP: those without CURVE.
/// Call attach() before bind(), then poll handle() beside the socket and call read().
class CurveHandshakeWatch {
public:
    /// The monitor events a watch reports (a socket has one monitor: who monitors a socket for
    /// other reasons asks for these too and hands them to handle()).
    static const int kEvents;
    /// Monitors `socket` itself; poll handle(), then read().
    CurveHandshakeWatch(zmq::context_t &context, zmq::socket_t &socket, std::shared_ptr<ZapHandler> zap,
                        std::string domain, std::string endpoint);
    /// Reports what the owner's own monitor of the socket hands to handle().
    CurveHandshakeWatch(std::shared_ptr<ZapHandler> zap, std::string domain, std::string endpoint);
    ~CurveHandshakeWatch();
    void *handle() const;
    void read();
    /// One monitor event (id, value); anything but a handshake failure is ignored.
    void handle(uint16_t id, uint32_t value);

private:
    zmq::socket_t *m_socket = nullptr; ///< monitored by this watch (the first constructor)
    std::unique_ptr<zmq::socket_t> m_monitor;
    std::shared_ptr<ZapHandler> m_zap;
    std::string m_domain, m_endpoint;
};

} // namespace eventlens
