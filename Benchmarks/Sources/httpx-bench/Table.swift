/// The comparison table.
enum Table {
    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded >= 100 ? String(Int(rounded)) : String(rounded)
    }

    static func ratio(_ value: Double) -> String {
        String(format2: value) + "x"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(1, width - text.count))
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    static func printHeader() {
        print(
            pad("scenario", 37) + pad("swift-httpx", 15) + pad("AHC", 15) + pad("ratio", 7) + pad("rounds", 31)
                + pad("limit", 13) + pad("peak RSS MiB", 14) + "CPU µs/op")
    }

    static func printRow(_ scenario: Scenario, ours: [WorkerResult], theirs: [WorkerResult], limits: [Double]) {
        let ratios = zip(ours, theirs).map { $0.0.rate / max($0.1.rate, 1e-9) }
        let oursRate = median(ours.map(\.rate))
        let theirsRate = median(theirs.map(\.rate))
        let peaks = [ours, theirs].map { ($0.map(\.peakMemory).max() ?? 0) >> 20 }
        let cpu = [ours, theirs].map { Int(median($0.map(\.cpuPerOperation))) }
        let limit = limits.isEmpty ? "–" : format(median(limits)) + " " + scenario.unit
        print(
            pad(scenario.name, 37) + pad(format(oursRate) + " " + scenario.unit, 15)
                + pad(format(theirsRate) + " " + scenario.unit, 15) + pad(ratio(median(ratios)), 7)
                + pad(ratios.map { String(format2: $0) }.joined(separator: " "), 31) + pad(limit, 13)
                + pad("\(peaks[0]) / \(peaks[1])", 14) + "\(cpu[0]) / \(cpu[1])")
    }
}

extension String {
    /// `value` with two decimals: 1.00, 0.95, 12.30.
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        let fraction = abs(hundredths % 100)
        self = "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
