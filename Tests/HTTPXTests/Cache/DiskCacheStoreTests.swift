#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import Testing

@testable import HTTPX

/// `DiskCacheStore`: persistence across instances, the size bound, damaged files, concurrency.
@Suite("HTTP cache: disk store", .timeLimit(.minutes(1)))
struct DiskCacheStoreTests {
    /// A fresh directory under the temporary directory, removed after `body`.
    static func withDirectory(_ body: (String) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.path + "/httpx-cache-test-\(UInt64.random(in: 0...UInt64.max))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await body(path)
    }

    static func entry(_ key: String, variant: String = "", body: String, headers: Headers = ["Cache-Control": "max-age=60"]) -> CacheEntry {
        CacheEntry(
            key: key, variantKey: variant, statusCode: 200, reasonPhrase: "OK", httpVersion: "HTTP/1.1", headers: headers,
            body: ByteBuffer(string: body), requestTime: Date(timeIntervalSince1970: 1_700_000_000.25),
            responseTime: Date(timeIntervalSince1970: 1_700_000_001.5))
    }

    static func entryFiles(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".cache") }.sorted()
    }

    @Test func entriesSurviveANewStoreOnTheSameDirectory() async throws {
        try await Self.withDirectory { directory in
            let first = try DiskCacheStore(directory: directory)
            try await first.put(Self.entry("https://example.org/a", body: "alpha", headers: ["ETag": #""1""#, "X-Two": "2"]))
            try await first.put(Self.entry("https://example.org/a", variant: "v2", body: "alpha 2"))
            try await first.put(Self.entry("https://example.org/b", body: "beta"))

            let second = try DiskCacheStore(directory: directory)
            #expect(await second.count == 3)
            let a = try await second.entries(for: "https://example.org/a").sorted { $0.variantKey < $1.variantKey }
            #expect(a.count == 2)
            let plain = try #require(a.first)
            #expect(plain.key == "https://example.org/a")
            #expect(plain.variantKey == "")
            #expect(plain.statusCode == 200)
            #expect(plain.reasonPhrase == "OK")
            #expect(plain.httpVersion == "HTTP/1.1")
            #expect(plain.headers == ["ETag": #""1""#, "X-Two": "2"])
            #expect(String(buffer: plain.body) == "alpha")
            #expect(plain.requestTime == Date(timeIntervalSince1970: 1_700_000_000.25))
            #expect(plain.responseTime == Date(timeIntervalSince1970: 1_700_000_001.5))
            #expect(a.last.map { String(buffer: $0.body) } == "alpha 2")
            #expect(try await second.entries(for: "https://example.org/b").map { String(buffer: $0.body) } == ["beta"])
            #expect(try await second.entries(for: "https://example.org/c").isEmpty)

            try await second.remove(key: "https://example.org/a")
            #expect(try await DiskCacheStore(directory: directory).entries(for: "https://example.org/a").isEmpty)
            #expect(try Self.entryFiles(directory).count == 1)
        }
    }

    @Test func aTransportOverANewStoreServesWhatTheOldOneStored() async throws {
        try await Self.withDirectory { directory in
            let clock = ManualClock()
            let origin = ScriptedOrigin { _, index in
                Response(200, headers: ["Cache-Control": "max-age=60", "Date": clock.httpDate()], text: "v\(index)")
            }
            let before = AsyncClient(.init(transport: CacheTransport(
                wrapping: origin.transport, store: try .disk(directory: directory), now: clock.closure)))
            #expect(try await before.get("https://example.org/doc").cacheStatus == .miss)

            clock.advance(10)
            let after = AsyncClient(.init(transport: CacheTransport(
                wrapping: origin.transport, store: try DiskCacheStore(directory: directory), now: clock.closure)))
            let hit = try await after.get("https://example.org/doc")
            #expect(hit.cacheStatus == .hit)
            #expect(try hit.text == "v0")
            #expect(hit.headers["Age"] == "10")
            #expect(origin.hits == 1)
        }
    }

    @Test func theSizeBoundEvictsTheLeastRecentlyUsed() async throws {
        try await Self.withDirectory { directory in
            let body = String(repeating: "x", count: 1000)
            let probe = try DiskCacheStore(directory: directory + "/probe")
            try await probe.put(Self.entry("https://example.org/a", body: body))
            let one = await probe.totalBytes
            #expect(one > 1000 && one < 1400)

            // Room for two entries, not three.
            let store = try DiskCacheStore(directory: directory + "/lru", maxBytes: one * 2 + one / 2)
            try await store.put(Self.entry("https://example.org/a", body: body))
            try await store.put(Self.entry("https://example.org/b", body: body))
            _ = try await store.entries(for: "https://example.org/a")  // a is now the most recent
            try await store.put(Self.entry("https://example.org/c", body: body))
            #expect(try await store.entries(for: "https://example.org/a").count == 1)
            #expect(try await store.entries(for: "https://example.org/b").isEmpty)
            #expect(try await store.entries(for: "https://example.org/c").count == 1)
            #expect(await store.count == 2)
            #expect(try Self.entryFiles(directory + "/lru").count == 2)

            // An entry larger than the whole bound is not stored.
            try await store.put(Self.entry("https://example.org/huge", body: String(repeating: "y", count: one * 3)))
            #expect(try await store.entries(for: "https://example.org/huge").isEmpty)
            #expect(await store.count == 2)

            // A new store with a smaller bound trims the directory at once.
            let smaller = try DiskCacheStore(directory: directory + "/lru", maxBytes: one + one / 2)
            #expect(await smaller.count == 1)
            #expect(try Self.entryFiles(directory + "/lru").count == 1)
        }
    }

    @Test func theEntryCountIsBounded() async throws {
        try await Self.withDirectory { directory in
            let store = try DiskCacheStore(directory: directory, maxEntries: 3)
            for index in 0..<5 { try await store.put(Self.entry("https://example.org/\(index)", body: "\(index)")) }
            #expect(await store.count == 3)
            #expect(try await store.entries(for: "https://example.org/0").isEmpty)
            #expect(try await store.entries(for: "https://example.org/4").count == 1)
        }
    }

    @Test func corruptAndTruncatedFilesAreIgnoredAndDeleted() async throws {
        try await Self.withDirectory { directory in
            let store = try DiskCacheStore(directory: directory)
            try await store.put(Self.entry("https://example.org/truncated", body: String(repeating: "t", count: 500)))
            try await store.put(Self.entry("https://example.org/garbage", body: "g"))
            try await store.put(Self.entry("https://example.org/intact", body: "ok"))
            let names = try Self.entryFiles(directory)
            #expect(names.count == 3)

            let truncatedName = DiskCacheFormat.fileName(key: "https://example.org/truncated", variantKey: "")
            let garbageName = DiskCacheFormat.fileName(key: "https://example.org/garbage", variantKey: "")
            let truncatedPath = directory + "/" + truncatedName
            let whole = try #require(FileManager.default.contents(atPath: truncatedPath))
            try Data(whole.prefix(whole.count - 100)).write(to: URL(fileURLWithPath: truncatedPath))
            try Data("not a cache file at all, but long enough to be read as one".utf8)
                .write(to: URL(fileURLWithPath: directory + "/" + garbageName))
            // A header claiming a huge length must not be trusted either.
            var lying = ByteBuffer()
            lying.writeBytes(DiskCacheFormat.magic)
            lying.writeInteger(UInt32.max)
            let lyingName = DiskCacheFormat.fileName(key: "https://example.org/lying", variantKey: "")
            try Data(lying.readableBytesView).write(to: URL(fileURLWithPath: directory + "/" + lyingName))

            // The store that wrote them, and a new one, both ignore and delete them.
            #expect(try await store.entries(for: "https://example.org/truncated").isEmpty)
            #expect(!FileManager.default.fileExists(atPath: truncatedPath))
            let fresh = try DiskCacheStore(directory: directory)
            #expect(try await fresh.entries(for: "https://example.org/garbage").isEmpty)
            #expect(try await fresh.entries(for: "https://example.org/lying").isEmpty)
            #expect(!FileManager.default.fileExists(atPath: directory + "/" + garbageName))
            #expect(!FileManager.default.fileExists(atPath: directory + "/" + lyingName))
            #expect(try await fresh.entries(for: "https://example.org/intact").map { String(buffer: $0.body) } == ["ok"])
            // Files that are not entries are left alone.
            try Data("mine".utf8).write(to: URL(fileURLWithPath: directory + "/notes.txt"))
            _ = try await DiskCacheStore(directory: directory).entries(for: "https://example.org/intact")
            #expect(FileManager.default.fileExists(atPath: directory + "/notes.txt"))
        }
    }

    @Test func concurrentUseKeepsEveryEntryWhole() async throws {
        try await Self.withDirectory { directory in
            // Small enough that writers evict each other while readers read.
            let store = try DiskCacheStore(directory: directory, maxBytes: 2_500)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        for round in 0..<20 {
                            let key = "https://example.org/\((task + round) % 6)"
                            let body = String(repeating: Character(UnicodeScalar(UInt8(97 + task))), count: 500 + round)
                            try await store.put(Self.entry(key, body: body))
                            for entry in try await store.entries(for: key) {
                                let text = String(buffer: entry.body)
                                // Whatever version is read, it is one writer's whole body.
                                #expect(entry.key == key)
                                #expect(Set(text).count == 1 && (500..<520).contains(text.count), "a torn entry for \(key)")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(await store.totalBytes <= 2_500)
            let files = try Self.entryFiles(directory)
            #expect(files.count == (await store.count))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).allSatisfy { !$0.hasPrefix(".tmp-") })
        }
    }

    @Test func removeAllEmptiesTheDirectory() async throws {
        try await Self.withDirectory { directory in
            let store = try DiskCacheStore(directory: directory)
            try await store.put(Self.entry("https://example.org/a", body: "a"))
            try await store.put(Self.entry("https://example.org/b", body: "b"))
            try await store.removeAll()
            #expect(await store.count == 0)
            #expect(try Self.entryFiles(directory).isEmpty)
        }
    }

    @Test func aDirectoryThatCannotBeMadeFailsClearly() async throws {
        try await Self.withDirectory { directory in
            try Data("a file".utf8).write(to: URL(fileURLWithPath: directory + "-file"))
            defer { try? FileManager.default.removeItem(atPath: directory + "-file") }
            let error = #expect(throws: HTTPXError.self) { try DiskCacheStore(directory: directory + "-file") }
            #expect(error?.kind == .invalidArgument)
        }
    }

    @Test func aLookupReadsOnlyTheBodiesAskedFor() async throws {
        try await Self.withDirectory { directory in
            let store = try DiskCacheStore(directory: directory)
            let key = "https://example.org/varied"
            try await store.put(Self.entry(key, variant: "en", body: "english"))
            try await store.put(Self.entry(key, variant: "fr", body: String(repeating: "f", count: 10_000)))
            try await store.put(Self.entry(key, variant: "de", body: "deutsch"))
            let found = try await store.entries(for: key, loadingBodiesWhere: { $0.variantKey == "en" })
                .sorted { $0.variantKey < $1.variantKey }
            #expect(found.map(\.variantKey) == ["de", "en", "fr"])
            #expect(found.map { String(buffer: $0.body) } == ["", "english", ""])
            // Their metadata is whole all the same.
            #expect(found.allSatisfy { $0.headers["Cache-Control"] == "max-age=60" && $0.statusCode == 200 })

            // A truncated file is found out (and deleted) even when its body is not read.
            let path = directory + "/" + DiskCacheFormat.fileName(key: key, variantKey: "fr")
            let whole = try #require(FileManager.default.contents(atPath: path))
            try Data(whole.prefix(whole.count - 10)).write(to: URL(fileURLWithPath: path))
            let again = try await DiskCacheStore(directory: directory).entries(for: key, loadingBodiesWhere: { _ in false })
            #expect(Set(again.map(\.variantKey)) == ["de", "en"])
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func removingOneVariantKeepsTheOthers() async throws {
        try await Self.withDirectory { directory in
            let key = "https://example.org/varied"
            let disk = try DiskCacheStore(directory: directory)
            let memory = MemoryCacheStore()
            let stores: [any CacheStore] = [disk, memory]
            for store in stores {
                try await store.put(Self.entry(key, variant: "en", body: "english"))
                try await store.put(Self.entry(key, variant: "fr", body: "français"))
                try await store.remove(key: key, variantKey: "en")
                #expect(try await store.entries(for: key).map(\.variantKey) == ["fr"], "\(type(of: store))")
            }
            #expect(try Self.entryFiles(directory).count == 1)
        }
    }

    @Test func aDirectoryThatCouldNotBeReadIsReadAgainLater() async throws {
        try await Self.withDirectory { directory in
            let store = try DiskCacheStore(directory: directory)
            // Gone before its first use: the scan fails, and the store says so.
            try FileManager.default.removeItem(atPath: directory)
            #expect(await store.count == 0)
            let error = await expectHTTPXError(.cacheStore) { _ = try await store.entries(for: "https://example.org/a") }
            #expect(error?.message.contains(directory) == true)
            // Back, with an entry another store wrote: the first store now sees it.
            let other = try DiskCacheStore(directory: directory)
            try await other.put(Self.entry("https://example.org/a", body: "alpha"))
            #expect(await store.count == 1)
            #expect(try await store.entries(for: "https://example.org/a").map { String(buffer: $0.body) } == ["alpha"])
        }
    }

    @Test func theMemoryStoreBoundsItsEntryCount() async throws {
        let store = MemoryCacheStore(maxEntries: 2)
        for name in ["a", "b", "c"] { try await store.put(Self.entry("https://example.org/\(name)", body: name)) }
        #expect(store.count == 2)
        #expect(try await store.entries(for: "https://example.org/a").isEmpty)
        #expect(try await store.entries(for: "https://example.org/c").count == 1)
        let none = MemoryCacheStore(maxEntries: 0)
        try await none.put(Self.entry("https://example.org/a", body: "a"))
        #expect(none.count == 0)
    }

    @Test func theMemoryStoreEvictsTheLeastRecentlyUsedToo() async throws {
        let one = Self.entry("https://example.org/a", body: String(repeating: "x", count: 1000)).approximateSize
        let store = MemoryCacheStore(maxBytes: one * 2 + one / 2)
        for key in ["a", "b"] { try await store.put(Self.entry("https://example.org/\(key)", body: String(repeating: "x", count: 1000))) }
        _ = try await store.entries(for: "https://example.org/a")
        try await store.put(Self.entry("https://example.org/c", body: String(repeating: "x", count: 1000)))
        #expect(try await store.entries(for: "https://example.org/b").isEmpty)
        #expect(try await store.entries(for: "https://example.org/a").count == 1)
        #expect(store.count == 2)
        #expect(store.totalBytes <= one * 2 + one / 2)
        try await store.remove(key: "https://example.org/a")
        #expect(store.count == 1)
    }
}
