import Foundation
import Testing

@testable import HTTPX

/// Bodies that stream in constant memory, measured by `httpx-memory-probe` in a process of its
/// own (tests running in parallel in this one would blur the measurement): the peak resident
/// memory during the transfers, against the memory before them.
@Suite("Constant memory", .timeLimit(.minutes(2)))
struct ConstantMemoryTests {
    @Test func hummingbirdBodiesStreamBothWaysInConstantMemory() async throws {
        // 192 MiB in all go through; held in memory, they would show as that much growth.
        let growth = try await Interop.memoryGrowth(probe: "hummingbird", "-")
        #expect(growth < 16 << 20, "resident memory grew by \(growth >> 20) MiB")
    }
}
