#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPX
import Synchronization

/// One run of the tool: builds the client and request from the command line, sends it, and
/// prints what comes back.
struct Invocation {
    let command: HTTPXCommand
    let terminal: Terminal

    /// Sends the request; returns whether the response was a 2xx.
    func run() async throws -> Bool {
        let style = Style(enabled: terminal.colour)
        let printer = ResponsePrinter(style: style, sanitize: terminal.stdoutIsTTY)
        let verbose = command.verbose
        let proxies = command.proxy.map { Proxies(Proxy($0)) } ?? Proxies.environment()
        let trace = VerboseTrace(printer: printer)
        let hooks = EventHooks(
            request: verbose ? [{ request in
                if let proxy = proxies.proxy(for: request.url) { Terminal.out(printer.proxy(proxy, for: request)) }
                // Printed when its head goes out, with the protocol version actually used.
                trace.willSend(request)
            }] : [],
            response: verbose ? [{ response in
                // Every hop's head; the final body follows separately.
                Terminal.out(printer.head(response) + "\n")
            }] : [])
        let verify: TLSVerification = command.noVerify ? .disabled : command.caBundle.map { .caBundle($0) } ?? .system
        let client = AsyncClient(.init(
            auth: try auth(), timeout: Timeout(command.timeout), verify: verify,
            cert: command.cert.map { ClientCertificate(certificatePath: $0, keyPath: command.key) },
            http2: command.http2, followRedirects: command.followRedirects, eventHooks: hooks, proxies: proxies,
            retry: command.retries > 0 ? RetryPolicy(maxRetries: command.retries) : .none,
            deadline: command.timeoutTotal.map { .milliseconds(Int64($0 * 1000)) }))
        do {
            let success = try await send(with: client, printer: printer, trace: verbose ? trace : nil)
            await client.close()
            return success
        } catch {
            await client.close()
            throw error
        }
    }

    private func send(with client: AsyncClient, printer: ResponsePrinter, trace: VerboseTrace?) async throws -> Bool {
        let verbose = command.verbose
        var headers = Headers(pairs(command.headers))
        if command.json != nil, !headers.contains("Content-Type") { headers.set("Content-Type", "application/json") }
        var request = try client.buildRequest(
            method, command.url, params: QueryParams(pairs(command.params)), headers: headers,
            cookies: Cookies(Dictionary(pairs(command.cookies), uniquingKeysWith: { _, last in last })),
            content: try content(), data: command.data.isEmpty ? nil : QueryParams(pairs(command.data)),
            files: try files())
        if let trace { request.extensions.trace = { trace.handle($0) } }
        var response = try await client.send(request, stream: true)
        do {
            if let path = command.download {
                try await save(response, to: path, printer: printer, printHead: !verbose)
            } else {
                try await response.read()
                var text = verbose ? "" : printer.head(response) + "\n"
                text += printer.body(response)
                Terminal.out(text)
            }
        } catch {
            await response.close()
            throw error
        }
        return response.isSuccess
    }

    private var method: HTTPMethod {
        if let method = command.method { return HTTPMethod(rawValue: method.uppercased()) }
        let hasBody = command.content != nil || command.json != nil || !command.data.isEmpty || !command.files.isEmpty
        return hasBody ? .post : .get
    }

    private func pairs(_ values: [String]) -> [(String, String)] {
        values.compactMap(ArgumentPairs.split)
    }

    private func auth() throws -> (any Auth)? {
        guard let auth = command.auth, let (user, given) = ArgumentPairs.split(auth) else { return nil }
        var password = given
        if given == "-" {
            guard let typed = Terminal.readSecret(prompt: "Password for \(user): ") else {
                throw HTTPXError(.invalidArgument, "--auth \(user) - asks for the password, but there is no terminal to ask on")
            }
            password = typed
        }
        return command.digest ? DigestAuth(user, password) : BasicAuth(user, password)
    }

    private func content() throws -> RequestBody? {
        if let text = command.content { return .text(text) }
        guard let json = command.json else { return nil }
        guard (try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))) != nil else {
            throw HTTPXError(.invalidArgument, "--json is not valid JSON: \(json)")
        }
        // As httpx's CLI: the JSON is parsed and sent compactly, keys in the order given.
        return .text(JSONMinifier.minify(json))
    }

    private func files() throws -> MultipartFiles? {
        guard !command.files.isEmpty else { return nil }
        return MultipartFiles(try pairs(command.files).map { name, path in (name, try MultipartFile.path(path)) })
    }

    /// Streams the body to `path`; on a terminal, shows the head and a progress bar.
    private func save(_ response: Response, to path: String, printer: ResponsePrinter, printHead: Bool) async throws {
        if printHead && terminal.stdoutIsTTY { Terminal.out(printer.head(response) + "\n") }
        let file = try OutputFile(path: path)
        defer { file.close() }
        var progress = terminal.stderrIsTTY ? ProgressBar(total: response.headers["Content-Length"].flatMap { Int($0) }) : nil
        for try await chunk in response.bytes() {
            try file.write(chunk)
            progress?.advance(by: chunk.readableBytes)
        }
        progress?.finish()
    }
}
