import ArgumentParser
import HTTPX

/// `httpx URL [OPTIONS]`: sends one request and prints the response, with httpx's flags.
@main
struct HTTPXCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "httpx",
        abstract: "A next generation HTTP client, in Swift.",
        discussion: """
            Prints the response's status line, headers and body (JSON pretty-printed). Exits with \
            0 for a 2xx response and 1 otherwise.

              httpx https://httpbin.org/get -p q swift
              httpx https://httpbin.org/post -j '{"name": "swift"}'
              httpx https://httpbin.org/image/png --download image.png
            """,
        // -h is --headers, as in httpx.
        helpNames: [.long])

    @Argument(help: "The URL to request.")
    var url: String

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Request method, such as GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD. [Default: GET, or POST if a request body is included]",
        valueName: "METHOD"))
    var method: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Query parameters to include in the request URL.", valueName: "NAME VALUE"))
    var params: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("Byte content to include in the request body.", valueName: "TEXT"))
    var content: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Form data to include in the request body.", valueName: "NAME VALUE"))
    var data: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("Form files to include in the request body.", valueName: "NAME FILENAME"))
    var files: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("JSON data to include in the request body.", valueName: "TEXT"))
    var json: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Include additional HTTP headers in the request.", valueName: "NAME VALUE"))
    var headers: [String] = []

    @Option(name: .long, help: ArgumentHelp("Cookies to include in the request.", valueName: "NAME VALUE"))
    var cookies: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Username and password to include in the request. Specify '-' for the password to use a password prompt. Note that --verbose shows the Authorization header, which Basic auth encodes reversibly.",
        valueName: "USER PASS"))
    var auth: String?

    @Flag(name: .long, help: "Use Digest authentication for --auth instead of Basic.")
    var digest = false

    @Option(name: .long, help: ArgumentHelp(
        "Timeout value to use for network operations, such as establishing the connection, reading some data, etc...",
        valueName: "SECONDS"))
    var timeout: Double = 5

    @Option(name: .long, help: ArgumentHelp(
        "Send the request again up to N times after a connect error, a reset, or a 429/502/503/504 (idempotent methods, or a POST with an Idempotency-Key), with backoff and Retry-After.",
        valueName: "N"))
    var retries: Int = 0

    @Option(name: .long, help: ArgumentHelp(
        "Fail when the whole request (redirects, retries and reading the body included) takes longer.",
        valueName: "SECONDS"))
    var timeoutTotal: Double?

    @Flag(name: .long, help: "Automatically follow redirects.")
    var followRedirects = false

    @Flag(name: .long, help: "Disable SSL verification.")
    var noVerify = false

    @Option(name: .long, help: ArgumentHelp("Verify the server's certificate with this CA bundle (a PEM file or folder).", valueName: "FILE"))
    var caBundle: String?

    @Option(name: .long, help: ArgumentHelp("A client certificate (PEM), with its key unless --key is given.", valueName: "FILE"))
    var cert: String?

    @Option(name: .long, help: ArgumentHelp("The private key (PEM) of --cert.", valueName: "FILE"))
    var key: String?

    @Option(name: .long, help: ArgumentHelp(
        "Send the request via a proxy. Should be the URL giving the proxy address (http, https, socks5 or socks5h). Without it, HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY apply.",
        valueName: "URL"))
    var proxy: String?

    @Flag(name: .long, help: "Send the request using HTTP/2, if the remote server supports it.")
    var http2 = false

    @Option(name: .long, help: ArgumentHelp("Save the response content as a file, rather than displaying it.", valueName: "FILE"))
    var download: String?

    @Flag(name: .shortAndLong, help: "Verbose output. Show request as well as response.")
    var verbose = false

    /// Parses the command line with httpx's two-value options joined first.
    static func main() async {
        await main(ArgumentPairs.join(Array(CommandLine.arguments.dropFirst())))
    }

    func validate() throws {
        for (values, flag) in [(params, "-p/--params NAME VALUE"), (data, "-d/--data NAME VALUE"),
                               (files, "-f/--files NAME FILENAME"), (headers, "-h/--headers NAME VALUE"),
                               (cookies, "--cookies NAME VALUE")] {
            for value in values where ArgumentPairs.split(value) == nil {
                throw ValidationError("\(flag) takes two values, got only '\(value)'")
            }
        }
        if let auth, ArgumentPairs.split(auth) == nil {
            throw ValidationError("--auth USER PASS takes two values, got only '\(auth)'")
        }
        if [content != nil, json != nil].filter({ $0 }).count > 1 {
            throw ValidationError("Use only one of --content and --json")
        }
        if (content != nil || json != nil) && (!data.isEmpty || !files.isEmpty) {
            throw ValidationError("--content and --json cannot be combined with --data or --files")
        }
        guard timeout > 0, timeout.isFinite else {
            throw ValidationError("--timeout must be a positive number of seconds")
        }
        guard retries >= 0, retries <= 100 else {
            throw ValidationError("--retries must be between 0 and 100")
        }
        if let timeoutTotal, !(timeoutTotal > 0 && timeoutTotal.isFinite && timeoutTotal < 1e9) {
            throw ValidationError("--timeout-total must be a positive number of seconds")
        }
        if key != nil && cert == nil {
            throw ValidationError("--key needs --cert")
        }
        if noVerify && caBundle != nil {
            throw ValidationError("Use only one of --no-verify and --ca-bundle")
        }
    }

    func run() async throws {
        let terminal = Terminal.current()
        do {
            let success = try await Invocation(command: self, terminal: terminal).run()
            throw ExitCode(success ? 0 : 1)
        } catch let error as HTTPXError {
            let message = terminal.stderrIsTTY ? TerminalText.visible(error.message) : error.message
            Terminal.err("\(error.kind): \(message)\n")
            throw ExitCode(1)
        }
    }
}
