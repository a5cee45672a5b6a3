import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

/// Turns SwiftNIO's errors into the ``HTTPXError`` tree, with messages that name the request.
enum TransportErrors {
    enum Phase {
        case connecting
        case writing
        case reading
    }

    static func map(_ error: any Error, phase: Phase, request: String) -> any Error {
        if error is HTTPXError || error is CancellationError || error is ConnectionClosedBeforeResponse {
            return error
        }
        switch error {
        case ChannelError.connectTimeout(let amount):
            return HTTPXError(
                .connectTimeout,
                "Timed out after \(HTTP1ClientHandler.format(Double(amount.nanoseconds) / 1e9)) s connecting to \(request)",
                underlying: error)
        case let error as NIOConnectionError:
            if let dns = error.dnsAError ?? error.dnsAAAAError {
                return HTTPXError(.connectError, "Could not resolve host '\(error.host)' for \(request): \(dns)", underlying: error)
            }
            let reasons = Set(error.connectionErrors.map { describe($0.error) }).sorted().joined(separator: "; ")
            return HTTPXError(
                .connectError, "Could not connect to \(error.host):\(error.port) for \(request): \(reasons.isEmpty ? "no address" : reasons)",
                underlying: error)
        case let ssl as NIOSSLError:
            return HTTPXError(.connectError, "TLS with \(request) failed: \(tlsCause("\(ssl)"))", underlying: error)
        case let extra as NIOSSLExtraError:
            return HTTPXError(.connectError, "TLS with \(request) failed: \(tlsCause("\(extra)"))", underlying: error)
        case let reset as NIOHTTP2Errors.StreamClosed:
            return HTTPXError(
                .remoteProtocol,
                "The server reset the HTTP/2 stream of \(request) (\(name(of: reset.errorCode)))", underlying: error)
        case let parser as HTTPParserError:
            return HTTPXError(.remoteProtocol, "Invalid HTTP response to \(request): \(parserMessage(parser))", underlying: error)
        case ChannelError.ioOnClosedChannel, ChannelError.outputClosed, ChannelError.alreadyClosed, ChannelError.eof:
            return HTTPXError(phase == .writing ? .writeError : .readError, "The connection closed while \(phase == .writing ? "sending" : "receiving") \(request)", underlying: error)
        case let io as IOError:
            let kind: HTTPXError.Kind = phase == .connecting ? .connectError : phase == .writing ? .writeError : .readError
            return HTTPXError(kind, "\(describe(io)) while \(verb(phase)) \(request)", underlying: error)
        default:
            let kind: HTTPXError.Kind = phase == .connecting ? .connectError : phase == .writing ? .writeError : .readError
            return HTTPXError(kind, "\(error) while \(verb(phase)) \(request)", underlying: error)
        }
    }

    /// A sentence naming why a TLS connection failed, from BoringSSL's reason codes.
    static func tlsCause(_ text: String) -> String {
        let causes: [(String, String)] = [
            ("failedToValidateHostname", "the server's certificate is not valid for this host name"),
            ("WRONG_VERSION_NUMBER", "the server did not answer with TLS (is it a plain HTTP server?)"),
            ("PACKET_LENGTH_TOO_LONG", "the server did not answer with TLS (is it a plain HTTP server?)"),
            ("HTTP_REQUEST", "the server did not answer with TLS (is it a plain HTTP server?)"),
            ("CERTIFICATE_VERIFY_FAILED", "the server's certificate could not be verified (it is expired, self-signed, or not signed by a trusted CA)"),
            ("CERTIFICATE_REQUIRED", "the server requires a client certificate"),
            ("BAD_CERTIFICATE", "the server rejected the client certificate"),
            ("UNKNOWN_CA", "the server rejected the client certificate (unknown CA)"),
            ("CERTIFICATE_UNKNOWN", "the server rejected the client certificate"),
            ("DECRYPT_ERROR", "the server rejected the client certificate"),
            ("UNSUPPORTED_PROTOCOL", "the server and the client have no TLS version in common"),
            ("PROTOCOL_VERSION", "the server and the client have no TLS version in common"),
            ("NO_SHARED_CIPHER", "the server and the client have no cipher in common"),
            ("ALERT_HANDSHAKE_FAILURE", "the server refused the handshake (it may require a client certificate, or share no cipher or TLS version with the client)"),
        ]
        for (code, sentence) in causes where text.contains(code) {
            return "\(sentence) [\(text)]"
        }
        return text
    }

    /// The RFC 9113 name of an HTTP/2 error code.
    static func name(of code: HTTP2ErrorCode) -> String {
        let names = [
            "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED",
            "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
            "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
        ]
        let value = Int(code.networkCode)
        return value < names.count ? names[value] : "error code \(value)"
    }

    private static func verb(_ phase: Phase) -> String {
        switch phase {
        case .connecting: "connecting to"
        case .writing: "sending"
        case .reading: "receiving the response to"
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case 111: return "connection refused"
            case 104: return "connection reset by peer"
            case 101: return "network unreachable"
            case 113: return "no route to host"
            case 32: return "broken pipe"
            default: return io.description
            }
        }
        return "\(error)"
    }

    private static func parserMessage(_ error: HTTPParserError) -> String {
        switch error {
        case .headerOverflow: "the response headers are too large"
        case .invalidChunkSize: "invalid chunk size in a chunked body"
        case .invalidStatus: "malformed status line"
        case .invalidVersion: "malformed status line (invalid HTTP version)"
        case .invalidEOFState: "the body is shorter than its Content-Length"
        case .invalidContentLength: "invalid Content-Length"
        case .unexpectedContentLength: "unexpected Content-Length"
        case .invalidHeaderToken: "invalid header"
        case .lfExpected: "malformed response framing"
        case .closedConnection: "the connection closed"
        default: "\(error)"
        }
    }
}
