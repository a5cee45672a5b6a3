import Foundation
import Testing

@testable import HTTPX

/// The `httpx` tool, run as a subprocess against httpbin: its output, exit codes and files.
@Suite("Interop: the httpx tool", Interop.enabled(Interop.httpbin), .timeLimit(.minutes(3)))
struct CLIInteropTests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The built `httpx` next to the test bundle (`swift test` builds every product).
    static var toolPath: String? { Interop.variable("HTTPX_CLI_PATH") ?? Interop.builtExecutable("httpx") }

    /// Runs the tool with `arguments`, standard input from /dev/null, and output piped.
    func httpx(_ arguments: [String], environment: [String: String] = [:]) async throws -> Run {
        let tool = try #require(Self.toolPath, "the httpx tool was not built")
        return try await Self.launch(tool, arguments, environment: environment, separateStderr: true)
    }

    /// Runs `executable`, waits for it (at most `timeLimit`), and returns its exit status and output.
    static func launch(
        _ executable: String, _ arguments: [String], environment: [String: String], separateStderr: Bool,
        timeLimit: Duration = .seconds(60)
    ) async throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NO_COLOR")
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe()
        let err = separateStderr ? Pipe() : out
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read the pipes while it runs, so a large output cannot block it; on threads of
        // their own, as the reads block and the test's cooperative threads must not.
        async let stdout = Self.readToEnd(out.fileHandleForReading)
        async let stderr = separateStderr ? Self.readToEnd(err.fileHandleForReading) : Data()
        let (outData, errData) = await (stdout, stderr)
        let deadline = ContinuousClock.now + timeLimit
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                Issue.record("\(executable) \(arguments) did not finish within \(timeLimit)")
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return Run(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: handle.readDataToEndOfFile())
            }
        }
    }

    var base: String { get throws { try Interop.url(Interop.httpbin, "httpbin") } }

    @Test func getPrintsStatusHeadersAndPrettyJSON() async throws {
        let run = try await httpx([try base + "/get", "-p", "q", "swift nio", "-h", "X-Custom", "Value", "--cookies", "c", "1"])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("HTTP/1.1 200 OK\n"))
        #expect(run.stdout.contains("Content-Type: application/json"))
        #expect(run.stdout.contains("\n\n{\n    \"args\": {\n        \"q\": \"swift nio\"\n    },"))
        #expect(run.stdout.contains("\"X-Custom\": \"Value\""))
        #expect(run.stdout.contains("\"Cookie\": \"c=1\""))
        #expect(!run.stdout.contains("\u{1B}["), "no colour when piped")
        #expect(run.stderr.isEmpty)
    }

    @Test func bodiesAndMethods() async throws {
        let form = try await httpx([try base + "/post", "-d", "a", "1", "-d", "a", "2", "-d", "b", "two words"])
        #expect(form.status == 0)
        #expect(form.stdout.contains("\"form\": {\n        \"a\": [\n            \"1\",\n            \"2\"\n        ],"))
        let json = try await httpx([try base + "/anything", "-m", "put", "-j", #"{"name": "swift", "n": 1.50}"#])
        #expect(json.stdout.contains("\"method\": \"PUT\""))
        #expect(json.stdout.contains(#""json": {"#) && json.stdout.contains(#""n": 1.5"#))
        // As httpx's CLI, --json goes compactly, keys in the order given.
        let compact = try await httpx([try base + "/anything", "-j", #"{ "z": 1,  "a": [true, null, "x y"] }"#])
        #expect(compact.stdout.contains(#""data": "{\"z\":1,\"a\":[true,null,\"x y\"]}""#), "\(compact.stdout)")
        let content = try await httpx([try base + "/post", "-c", "raw text"])
        #expect(content.stdout.contains("\"data\": \"raw text\""))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("httpx-cli-\(UInt32.random(in: 0...UInt32.max)).txt")
        try Data("file body".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let upload = try await httpx([try base + "/post", "-f", "upload", file.path])
        #expect(upload.stdout.contains("\"upload\": \"file body\""))
        let head = try await httpx([try base + "/get", "-m", "HEAD"])
        #expect(head.status == 0)
        #expect(head.stdout.hasPrefix("HTTP/1.1 200 OK"))
    }

    @Test func authAndExitCodes() async throws {
        #expect(try await httpx([try base + "/basic-auth/u/p", "--auth", "u", "p"]).status == 0)
        #expect(try await httpx([try base + "/digest-auth/auth/u/p/SHA-256", "--auth", "u", "p", "--digest"]).status == 0)
        let denied = try await httpx([try base + "/basic-auth/u/p", "--auth", "u", "wrong"])
        #expect(denied.status == 1, "only 2xx exits with 0")
        #expect(denied.stdout.hasPrefix("HTTP/1.1 401 "))
        #expect(try await httpx([try base + "/status/404"]).status == 1)
        let prompt = try await httpx([try base + "/basic-auth/u/p", "--auth", "u", "-"])
        #expect(prompt.status == 1)
        #expect(prompt.stderr.contains("no terminal"))
    }

    @Test func redirectsAndVerbose() async throws {
        let unfollowed = try await httpx([try base + "/redirect/2"])
        #expect(unfollowed.status == 1)
        #expect(unfollowed.stdout.hasPrefix("HTTP/1.1 302 "))
        let verbose = try await httpx([try base + "/redirect/2", "--follow-redirects", "-v"])
        #expect(verbose.status == 0)
        // httpx's CLI shows the connection first, then each request as it goes out.
        #expect(verbose.stdout.hasPrefix("* Connecting to '127.0.0.1'\n* Connected to '127.0.0.1' on port "), "\(verbose.stdout)")
        #expect(verbose.stdout.contains("\nGET /redirect/2 HTTP/1.1\n"))
        #expect(verbose.stdout.contains("User-Agent: swift-httpx/"))
        #expect(verbose.stdout.components(separatedBy: "HTTP/1.1 302 ").count == 3, "each hop's response")
        #expect(verbose.stdout.contains("GET /get HTTP/1.1"))
        #expect(verbose.stdout.contains("HTTP/1.1 200 OK"))
    }

    @Test func verboseShowsTLSAndTheProtocolVersionUsed() async throws {
        let url = try Interop.url(Interop.tls, "TLS nginx") + "/hello"
        let ca = (Interop.certs ?? "/nonexistent") + "/ca.pem"
        let run = try await httpx([url, "--http2", "--ca-bundle", ca, "-v"])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("* Connecting to 'localhost'\n* Connected to '"), "\(run.stdout)")
        #expect(run.stdout.contains("* SSL established using 'TLSv1.3' / 'TLS_"))
        #expect(run.stdout.contains("* Selected ALPN protocol: 'h2'\n"))
        #expect(run.stdout.contains("* Server certificate:\n*     subject: O=trustme"))
        #expect(run.stdout.contains("\nGET /hello HTTP/2\n"), "the request line names the version used")
        #expect(run.stdout.contains("\nHTTP/2 200 OK\n"))
    }

    @Test func binaryBodiesAreSummarisedAndDownloadsSaved() async throws {
        let binary = try await httpx([try base + "/bytes/100"])
        #expect(binary.stdout.contains("<100 bytes of binary data>"))
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("httpx-dl-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: target) }
        let download = try await httpx([try base + "/stream-bytes/100000?seed=7&chunk_size=4096", "--download", target.path])
        #expect(download.status == 0)
        #expect(download.stdout.isEmpty && download.stderr.isEmpty, "nothing but the file when piped")
        let saved = try Data(contentsOf: target)
        #expect(saved.count == 100_000)
        let direct = try await AsyncClient().get(try base + "/stream-bytes/100000?seed=7&chunk_size=4096")
        #expect(try Array(saved) == direct.content)
    }

    @Test func failuresPrintTheKindAndMessage() async throws {
        let badURL = try await httpx(["http://bad host/"])
        #expect(badURL.status == 1)
        #expect(badURL.stderr.hasPrefix("InvalidURL: "))
        #expect(badURL.stdout.isEmpty)
        let scheme = try await httpx(["ftp://example.org/"])
        #expect(scheme.stderr.hasPrefix("UnsupportedProtocol: "))
        let refused = try await httpx(["http://127.0.0.1:9/"])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("ConnectError: "))
        #expect(refused.stderr.contains("refused"))
        let slow = try await httpx([try base + "/delay/3", "--timeout", "0.5"])
        #expect(slow.status == 1)
        #expect(slow.stderr.hasPrefix("ReadTimeout: "))
        for run in [badURL, refused, slow] {
            #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Stack dump"))
        }
    }

    @Test func retriesAndATotalTimeout() async throws {
        let retried = try await httpx([try base + "/status/503", "--retries", "2", "-v"])
        #expect(retried.status == 1, "the last answer stands: 503")
        #expect(retried.stdout.contains("Retry 1 in ") && retried.stdout.contains("Retry 2 in "), "\(retried.stdout)")
        #expect(retried.stdout.contains("after status 503"))
        let total = try await httpx([try base + "/delay/3", "--timeout", "10", "--timeout-total", "0.5"])
        #expect(total.status == 1)
        #expect(total.stderr.hasPrefix("DeadlineExceeded: "), "\(total.stderr)")
        let bad = try await httpx([try base + "/get", "--retries", "-1"])
        #expect(bad.status != 0 && bad.stderr.contains("--retries"))
    }

    @Test(.enabled(if: Interop.tlsMTLS != nil || Interop.isRequired))
    func tlsOptions() async throws {
        let certs = try #require(Interop.certs)
        let tls = try Interop.url(Interop.tls, "TLS nginx")
        let h2 = try await httpx([tls + "/hello", "--http2", "--ca-bundle", certs + "/ca.pem"])
        #expect(h2.stdout.hasPrefix("HTTP/2 200 OK\n"))
        #expect(h2.stdout.contains("hello over HTTP/2.0"))
        let untrusted = try await httpx([tls + "/hello"])
        #expect(untrusted.status == 1)
        #expect(untrusted.stderr.hasPrefix("ConnectError: "))
        #expect(try await httpx([tls + "/hello", "--no-verify"]).status == 0)
        let mtls = try Interop.url(Interop.tlsMTLS, "mTLS nginx")
        let withCert = try await httpx([
            mtls + "/", "--ca-bundle", certs + "/ca.pem", "--cert", certs + "/client.pem", "--key", certs + "/client.key",
        ])
        #expect(withCert.status == 0, "\(withCert.stderr)")
        #expect(try await httpx([mtls + "/", "--ca-bundle", certs + "/ca.pem"]).status == 1)
    }

    /// Runs the tool on a pseudo-terminal (util-linux `script`), as a person at a terminal
    /// would; standard error is in `stdout` too.
    func httpxOnTerminal(_ arguments: [String], environment: [String: String] = [:]) async throws -> Run {
        let tool = try #require(Self.toolPath, "the httpx tool was not built")
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux's script is needed for terminal tests")
        let quoted = ([tool] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try await Self.launch(
            script, ["-qec", quoted.joined(separator: " "), "/dev/null"], environment: environment, separateStderr: false)
    }

    @Test func colourAndProgressOnATerminalOnly() async throws {
        let coloured = try await httpxOnTerminal([try base + "/get"])
        #expect(coloured.status == 0)
        #expect(coloured.stdout.contains("\u{1B}[1;32mHTTP/1.1 200 "), "a green status line")
        #expect(coloured.stdout.contains("\u{1B}[34;1m\"args\"\u{1B}[0m"), "coloured JSON keys")
        let html = try await httpxOnTerminal([try base + "/html"])
        #expect(html.stdout.contains("\u{1B}[34;1mhtml\u{1B}[0m"), "coloured HTML tags")
        let xml = try await httpxOnTerminal([try base + "/xml"])
        #expect(xml.stdout.contains("\u{1B}[36mtitle\u{1B}[0m") || xml.stdout.contains("\u{1B}[32m"), "coloured XML attributes")
        let plain = try await httpxOnTerminal([try base + "/get"], environment: ["NO_COLOR": "1"])
        #expect(!plain.stdout.contains("\u{1B}["))
        #expect(plain.stdout.contains("\"args\": {}"))

        let target = FileManager.default.temporaryDirectory.appendingPathComponent("httpx-tty-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: target) }
        let download = try await httpxOnTerminal([try base + "/bytes/50000", "--download", target.path])
        #expect(download.status == 0)
        #expect(download.stdout.contains("HTTP/1.1 200 "), "the head, on a terminal")
        #expect(download.stdout.contains("100%") && download.stdout.contains("48.8 KiB"), "a progress bar: \(download.stdout)")
        #expect(try Data(contentsOf: target).count == 50_000)
    }

    /// A server's escape sequences (window title, clear screen, a C1 CSI) reach a terminal
    /// escaped, and a pipe unchanged.
    @Test func serverControlCharactersAreEscapedOnATerminal() async throws {
        let url = try base + "/base64/G10wO3B3bmVkBxtbMkrCmzMxbWhlbGxvCg=="
        let shown = try await httpxOnTerminal([url], environment: ["NO_COLOR": "1"])
        #expect(shown.status == 0)
        #expect(!shown.stdout.contains("\u{1B}"), "no raw escape: \(shown.stdout)")
        #expect(!shown.stdout.unicodeScalars.contains("\u{9B}"))
        #expect(shown.stdout.contains("\\x1b]0;pwned\\x07\\x1b[2J\\x9b31mhello"))
        let piped = try await httpx([url])
        #expect(piped.stdout.contains("\u{1B}]0;pwned"), "a pipe gets the bytes as they are")
    }

    @Test func invalidArgumentsGetTheUsage() async throws {
        let missing = try await httpx([])
        #expect(missing.status != 0)
        #expect(missing.stderr.lowercased().contains("usage: httpx"))
        let half = try await httpx([try base + "/get", "-p", "onlyname"])
        #expect(half.status != 0)
        #expect(half.stderr.contains("-p/--params"))
        let help = try await httpx(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--follow-redirects"))
        #expect(help.stdout.contains("-h, --headers <NAME VALUE>"))
        let badJSON = try await httpx([try base + "/post", "-j", "{nope"])
        #expect(badJSON.status == 1)
        #expect(badJSON.stderr.hasPrefix("InvalidArgument: --json"))
    }
}
