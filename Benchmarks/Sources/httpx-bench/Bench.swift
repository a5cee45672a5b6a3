// Runs swift-httpx and AsyncHTTPClient side by side against a local nginx and prints a table.
//
//     httpx-bench NGINX_URL [--tls URL --ca PEM] [--proxy URL] [--seconds N] [--rounds N] [--only CODE]
//
// Each run of a scenario by a client is a fresh process with a fresh client (nothing warmed,
// as a program meets a server), so its peak resident memory is its own. The two clients take
// turns, round after round; the ratio of each round and their median are printed, beside
// what wrk or h2load reach on the same scenario. `Benchmarks/run.sh` starts the servers and
// pins them to one core and this program to the other.
import AsyncHTTPClient
import Foundation
import HTTPX
import NIOCore
import NIOSSL

struct Options {
    var servers: Servers
    var seconds = 2.0
    var rounds = 5
    var only: [String]?

    init(_ arguments: [String]) throws {
        func value(_ flag: String) -> String? {
            arguments.lastIndex(of: flag).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }
        guard arguments.count >= 2, !arguments[1].hasPrefix("--") else {
            throw BenchError("usage: httpx-bench NGINX_URL [--tls URL --ca PEM] [--proxy URL] [--seconds N] [--rounds N] [--only A,B2,K]")
        }
        servers = Servers(plain: arguments[1], tls: value("--tls"), caBundle: value("--ca"), proxy: value("--proxy"))
        seconds = value("--seconds").flatMap(Double.init) ?? seconds
        rounds = value("--rounds").flatMap(Int.init) ?? rounds
        only = value("--only")?.split(separator: ",").map(String.init)
    }

    var duration: Duration { .milliseconds(Int64(seconds * 1000)) }

    func selects(_ code: String) -> Bool { only?.contains(code) ?? true }
}

@main
struct Bench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        do {
            let options = try Options(arguments)
            if let index = arguments.firstIndex(of: "--worker"), index + 2 < arguments.count {
                try await Worker.run(code: arguments[index + 1], client: arguments[index + 2], options: options)
            } else {
                try await compare(options, arguments: Array(arguments.dropFirst()))
            }
        } catch {
            FileHandle.standardError.write(Data("httpx-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    static func compare(_ options: Options, arguments: [String]) async throws {
        let scenarios = Scenario.all(options.servers).filter { options.selects($0.code) }
        print("Each scenario: \(options.rounds) rounds of \(Table.format(options.seconds)) s per client, taking turns, each a")
        print("fresh process and client; ratio = swift-httpx / AsyncHTTPClient, the median of the rounds'")
        print("ratios. Limit: wrk (HTTP/1.1) or h2load (HTTP/2) on the same URL. Peak RSS: the largest")
        print("VmHWM of a client's runs. At most \(concurrency) connections per client.")
        print("")
        Table.printHeader()
        for scenario in scenarios {
            var results: [ClientName: [WorkerResult]] = [:]
            var limits: [Double] = []
            for round in 0..<options.rounds {
                // Alternate who goes first, so neither gains from the other's wake.
                let order = round % 2 == 0 ? ClientName.allCases : ClientName.allCases.reversed()
                for client in order {
                    results[client, default: []].append(try Worker.spawn(scenario, client: client, arguments: arguments))
                }
                if let limit = LimitTools.measure(scenario, seconds: options.seconds) { limits.append(limit) }
            }
            Table.printRow(scenario, ours: results[.httpx] ?? [], theirs: results[.ahc] ?? [], limits: limits)
            fflush(nil)  // each row as it is measured
        }
        if options.selects("K") {
            try await ClientCost.compare(options)
        }
    }
}
