#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPX
import Synchronization

/// What `-v` prints as a request goes out, from its trace events, as httpx's CLI prints it:
/// the connection (`* Connecting to ...`, `* Connected to ... on port ...`), TLS (version,
/// cipher, ALPN, the server's certificate), and the request as sent, with the protocol
/// version the connection speaks.
final class VerboseTrace: Sendable {
    private let printer: ResponsePrinter
    /// The request about to be sent (its hop, when following redirects), printed once its
    /// head has gone out.
    private let pending = Mutex<Request?>(nil)

    init(printer: ResponsePrinter) {
        self.printer = printer
    }

    /// Notes the request a hop is about to send.
    func willSend(_ request: Request) {
        pending.withLock { $0 = request }
    }

    func handle(_ event: TraceEvent) {
        switch event {
        case .connecting(let host, _, _):
            say("Connecting to '\(host)'")
        case .tcpConnected(_, let remote):
            let (address, port) = Self.split(remote)
            say("Connected to '\(address)' on port \(port)")
        case .tlsHandshakeCompleted(let tls):
            say("SSL established using '\(tls.version ?? "?")' / '\(tls.cipher ?? "?")'")
            if let alpn = tls.alpn { say("Selected ALPN protocol: '\(alpn)'") }
            if tls.peerSubject != nil || tls.peerNotValidAfter != nil {
                say("Server certificate:")
                if let subject = tls.peerSubject { say("    subject: \(subject)") }
                if let expiry = tls.peerNotValidAfter { say("    expire date: \(expiry)") }
            }
        case .requestHeadSent(let version):
            guard let request = pending.withLock({ state -> Request? in
                defer { state = nil }
                return state
            }) else { return }
            Terminal.out(printer.request(request, httpVersion: version))
        case .retrying:
            say(event.description.prefix(1).uppercased() + event.description.dropFirst())
        default:
            break
        }
    }

    private func say(_ line: String) {
        Terminal.out(printer.style.dim("* " + line) + "\n")
    }

    /// `127.0.0.1:443` or `[::1]:443` as the address and the port.
    static func split(_ endpoint: String) -> (String, String) {
        guard let colon = endpoint.lastIndex(of: ":") else { return (endpoint, "?") }
        var address = endpoint[..<colon]
        if address.hasPrefix("["), address.hasSuffix("]") { address = address.dropFirst().dropLast() }
        return (String(address), String(endpoint[endpoint.index(after: colon)...]))
    }
}
