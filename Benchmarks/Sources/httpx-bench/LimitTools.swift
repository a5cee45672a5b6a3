import Foundation

/// Measures what nginx serves to a load generator written in C for the same scenario: wrk for
/// HTTP/1.1, h2load for HTTP/2. The figure is the ceiling a client could reach on this
/// machine; `nil` when the tool is not installed.
enum LimitTools {
    static func measure(_ scenario: Scenario, seconds: Double) -> Double? {
        guard let tool = scenario.limit else { return nil }
        let url: String
        let post: Bool
        switch scenario.operation {
        case .get(let target): (url, post) = (target, false)
        case .post(let target): (url, post) = (target, true)
        }
        let duration = String(max(1, Int(seconds.rounded())))
        var arguments: [String]
        switch tool {
        case .wrk(let connections, _):
            arguments = ["wrk", "-t1", "-c\(connections)", "-d\(duration)s"]
            if post, let script = postScript() { arguments += ["-s", script] }
        case .h2load(let streams, _):
            arguments = ["h2load", "-c1", "-m\(streams)", "-D", duration, "-w", "23", "-W", "23"]
            if post, let body = uploadFile() { arguments += ["-d", body] }
        }
        guard let output = run(arguments + [url]) else { return nil }
        let rate: Double?
        switch tool {
        case .wrk: rate = number(after: "Requests/sec:", in: output)
        case .h2load: rate = number(before: " req/s", in: output)
        }
        guard let rate else { return nil }
        return scenario.bytesPerOperation.map { rate * Double($0) / 1_000_000 } ?? rate
    }

    private static func run(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    private static func number(after marker: String, in text: String) -> Double? {
        guard let range = text.range(of: marker) else { return nil }
        return Double(text[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber || $0 == "." })
    }

    private static func number(before marker: String, in text: String) -> Double? {
        guard let range = text.range(of: marker) else { return nil }
        let digits = text[..<range.lowerBound].reversed().prefix { $0.isNumber || $0 == "." }
        return Double(String(digits.reversed()))
    }

    private static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("httpx-bench")

    /// A wrk script that POSTs 1 MiB.
    private static func postScript() -> String? {
        write("post.lua", "wrk.method = \"POST\"\nwrk.body = string.rep(\"B\", \(Scenario.uploadSize))\n")
    }

    /// A 1 MiB file for h2load to POST.
    private static func uploadFile() -> String? {
        write("upload.bin", String(repeating: "B", count: Scenario.uploadSize))
    }

    private static func write(_ name: String, _ contents: String) -> String? {
        let file = directory.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try contents.write(to: file, atomically: true, encoding: .utf8)
        } catch {
            return nil
        }
        return file.path
    }
}
