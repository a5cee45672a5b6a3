/// A one-line download progress display on standard error: bytes so far, rate, and a bar
/// with a percentage when the total is known. Redraws at most ten times a second.
struct ProgressBar {
    let total: Int?
    private let start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private(set) var received = 0

    init(total: Int?) {
        self.total = total
    }

    mutating func advance(by count: Int) {
        received += count
        let now = ContinuousClock.now
        if let lastDraw, now - lastDraw < .milliseconds(100) { return }
        lastDraw = now
        Terminal.err("\r" + line(now: now) + "\u{1B}[K")
    }

    mutating func finish() {
        Terminal.err("\r" + line(now: .now) + "\u{1B}[K\n")
    }

    func line(now: ContinuousClock.Instant) -> String {
        let elapsed = now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(received) / seconds : 0
        var text = "\(Self.size(received))"
        if let total, total > 0 {
            let fraction = min(1, Double(received) / Double(total))
            let width = 30
            let filled = Int(fraction * Double(width))
            text = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
                + "\(Int(fraction * 100))% " + text + " / \(Self.size(total))"
        }
        return text + " at \(Self.size(Int(rate)))/s"
    }

    /// `512 B`, `1.5 KiB`, `12.0 MiB`...
    static func size(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        return "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
