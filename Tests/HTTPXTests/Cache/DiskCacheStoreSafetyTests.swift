#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import Testing

@testable import HTTPX

/// What `DiskCacheStore` writes: never a request's credentials (nor a hash of them anyone
/// could recompute), never a file it would refuse to read, its key readable by its owner only,
/// and failures of its own kind.
@Suite("HTTP cache: disk store safety", .timeLimit(.minutes(1)))
struct DiskCacheStoreSafetyTests {
    @Test func noCredentialOfTheRequestsReachesTheDirectory() async throws {
        try await DiskCacheStoreTests.withDirectory { directory in
            let clock = ManualClock()
            let origin = ScriptedOrigin { _, index in
                Response(
                    200, headers: ["Cache-Control": "max-age=60", "Vary": "Authorization, Cookie", "Date": clock.httpDate()],
                    text: "v\(index)")
            }
            let store = try DiskCacheStore(directory: directory)
            let client = AsyncClient(.init(transport: CacheTransport(wrapping: origin.transport, store: store, now: clock.closure)))
            let credentials: Headers = ["Authorization": "Basic dXNlcjpzZWNyZXQ=", "Cookie": "session=s3cret"]
            _ = try await client.get("http://host.example/a", headers: credentials)
            _ = try await client.get("http://user:pw@host.example/")
            #expect(await store.count == 2)
            #expect(try await client.get("http://host.example/a", headers: credentials).cacheStatus == .hit)
            #expect(try await client.get("http://user:pw@host.example/").cacheStatus == .hit)

            // The secrets, as sent and decoded, and the texts a plain hash of the Vary fields
            // would have been made of.
            let secrets = [
                "dXNlcjpzZWNyZXQ=", "user:secret", "secret", "session=s3cret", "s3cret", "user:pw", "dXNlcjpwdw==",
            ]
            let hashed = secrets + [
                "Basic dXNlcjpzZWNyZXQ=", "Basic dXNlcjpwdw==",
                "authorization:Basic dXNlcjpzZWNyZXQ=\ncookie:session=s3cret\n",
                "authorization:Basic dXNlcjpwdw==\ncookie\u{0}\n",
            ]
            let forbidden = secrets + hashed.map { CacheHash.sha256Hex($0) }
            let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(names.count == 3)  // two entries and the key
            for name in names {
                let data = try #require(FileManager.default.contents(atPath: directory + "/" + name))
                let bytes = Array(data)
                for secret in forbidden {
                    #expect(!CacheTestSupport.occurs(Array(secret.utf8), in: bytes), "\(name) holds \(secret)")
                }
            }
        }
    }

    @Test func theKeyIsTheOwnersAndOutlivesTheStore() async throws {
        try await DiskCacheStoreTests.withDirectory { directory in
            let first = try DiskCacheStore(directory: directory)
            let path = directory + "/" + DiskCacheFormat.keyFileName
            var info = stat()
            #expect(stat(path, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600)
            #expect(info.st_size == 32)
            let text = "accept-language:en\n"
            let key = first.secondaryKey(for: text)
            #expect(key.count == 64)
            #expect(key != CacheHash.sha256Hex(text))
            // A new store on the directory has the same key; one on another directory does not.
            #expect(try DiskCacheStore(directory: directory).secondaryKey(for: text) == key)
            #expect(try DiskCacheStore(directory: directory + "/elsewhere").secondaryKey(for: text) != key)
            // A damaged key file is replaced (its entries no longer match: misses, not errors).
            try Data("short".utf8).write(to: URL(fileURLWithPath: path))
            let replaced = try DiskCacheStore(directory: directory).secondaryKey(for: text)
            #expect(replaced != key && replaced.count == 64)
            #expect(try DiskCacheStore(directory: directory).secondaryKey(for: text) == replaced)
            // Clearing the store keeps the key.
            try await first.removeAll()
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func anEntryTheFormatCannotReadBackIsNotWritten() async throws {
        try await DiskCacheStoreTests.withDirectory { directory in
            let store = try DiskCacheStore(directory: directory)
            let key = "https://example.org/many"
            try await store.put(DiskCacheStoreTests.entry(key, body: "small"))
            #expect(await store.count == 1)
            // 1,500 fields: more than the reader accepts. It is not written, and the entry it
            // replaces goes too.
            let many = Headers((0..<1_500).map { ("X-Field-\($0)", "value") })
            try await store.put(DiskCacheStoreTests.entry(key, body: "many", headers: many))
            #expect(await store.count == 0)
            #expect(try DiskCacheStoreTests.entryFiles(directory).isEmpty)
            #expect(try await store.entries(for: key).isEmpty)
            // A header over the byte bound likewise.
            let long: Headers = ["X-Long": String(repeating: "x", count: DiskCacheFormat.maxHeaderBytes)]
            try await store.put(DiskCacheStoreTests.entry(key, body: "long", headers: long))
            #expect(try DiskCacheStoreTests.entryFiles(directory).isEmpty)
            // At the bounds it is written and read back.
            let most = Headers((0..<DiskCacheFormat.maxFields).map { ("X-Field-\($0)", "value") })
            try await store.put(DiskCacheStoreTests.entry(key, body: "most", headers: most))
            let read = try await DiskCacheStore(directory: directory).entries(for: key)
            #expect(read.map { $0.headers.count } == [DiskCacheFormat.maxFields])
            #expect(DiskCacheFormat.encode(DiskCacheStoreTests.entry(key, body: "x", headers: many)) == nil)
        }
    }

    @Test func aFileThatCannotBeWrittenFailsAsACacheStoreError() async throws {
        try await DiskCacheStoreTests.withDirectory { directory in
            let store = try DiskCacheStore(directory: directory)
            #expect(await store.count == 0)  // the directory is read
            try FileManager.default.removeItem(atPath: directory)
            let error = await expectHTTPXError(.cacheStore) {
                try await store.put(DiskCacheStoreTests.entry("https://example.org/a", body: "a"))
            }
            #expect(error?.message.contains(directory) == true)
            #expect(error?.is(.httpError) == true)
            #expect(error?.is(.invalidArgument) == false)
        }
    }
}
