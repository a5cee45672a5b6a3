import Foundation

/// What one run of a scenario by one client measured, as a worker process reports it.
struct WorkerResult {
    var rate: Double
    var cpuPerOperation: Double
    var peakMemory: Int
}

/// One scenario, one client, one fresh process.
enum Worker {
    /// In the worker: runs the scenario and prints `result RATE CPU PEAK` on standard output.
    static func run(code: String, client: String, options: Options) async throws {
        guard let scenario = Scenario.all(options.servers).first(where: { $0.code == code }),
            let name = ClientName(rawValue: client)
        else { throw BenchError("no scenario \(code) or client \(client)") }
        let contender = name.make(route: scenario.route, caBundle: options.servers.caBundle, proxy: options.servers.proxy)
        let result: Measurement
        do {
            result = try await scenario.run(contender, duration: options.duration)
        } catch {
            try? await contender.shutdown()
            throw error
        }
        try await contender.shutdown()
        print("result \(result.rate) \(result.cpuPerOperation) \(peakResidentMemory())")
    }

    /// In the parent: runs a worker (pinned as the parent is) and reads its result.
    static func spawn(_ scenario: Scenario, client: ClientName, arguments: [String]) throws -> WorkerResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = arguments + ["--worker", scenario.code, client.rawValue]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last { $0.hasPrefix("result ") }
        guard process.terminationStatus == 0, let fields = line?.split(separator: " "), fields.count == 4,
            let rate = Double(fields[1]), let cpu = Double(fields[2]), let peak = Int(fields[3])
        else { throw BenchError("\(scenario.code) with \(client.rawValue) failed (exit \(process.terminationStatus))") }
        return WorkerResult(rate: rate, cpuPerOperation: cpu, peakMemory: peak)
    }
}
