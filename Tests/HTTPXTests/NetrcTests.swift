#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

@testable import HTTPX

@Suite("netrc")
struct NetrcParsingTests {
    @Test func parsesEveryToken() throws {
        let netrc = try Netrc(parsing: """
            # a comment line
            machine api.example.org login alice password "s3cret with space" account acct
            machine Other.Example   # trailing comment
                login bob
                password p\\"q

            macdef init
            cd /pub
            binary

            machine after.macro login carol password c
            default login anon password guest
            """)
        #expect(netrc.entry(for: "api.example.org") == Netrc.Entry(login: "alice", password: "s3cret with space", account: "acct"))
        #expect(netrc.entry(for: "other.example")?.login == "bob", "machine names compare case-insensitively")
        #expect(netrc.entry(for: "other.example")?.password == #"p"q"#)
        #expect(netrc.macros["init"] == "cd /pub\nbinary")
        #expect(netrc.entry(for: "after.macro")?.login == "carol", "entries after a macro still count")
        #expect(netrc.entry(for: "unknown.host")?.login == "anon", "the default entry covers the rest")
        #expect(!"\(netrc.entry(for: "api.example.org")!)".contains("s3cret"), "passwords are not printed")
    }

    @Test func laterEntryForTheSameMachineWins() throws {
        let netrc = try Netrc(parsing: "machine h login a password 1\nmachine h login b password 2\n")
        #expect(netrc.entry(for: "h")?.login == "b")
        #expect(try Netrc(parsing: "").entry(for: "h") == nil)
    }

    @Test func malformedFilesNameTheLine() {
        for (text, line) in [
            ("machine h login a\npassword", 2),
            ("login a", 1),
            ("machine h\n\n  frobnicate x", 3),
            ("machine", 1),
        ] {
            do {
                _ = try Netrc(parsing: text)
                Issue.record("expected an error for \(text)")
            } catch let error as HTTPXError {
                #expect(error.is(.invalidArgument))
                #expect(error.message.contains("line \(line)"), "\(error.message)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func explicitNetrcAuthWithAGivenFile() async throws {
        let file = try TemporaryNetrc("machine h.test login u password p\n")
        let recorder = Recorder()
        let client = mockClient(auth: try NetrcAuth(file: file.path), recorder: recorder)
        _ = try await client.get("http://h.test/")
        #expect(recorder.last?.headers["Authorization"] == BasicAuth("u", "p").headerValue)
        _ = try await client.get("http://unlisted.test/")
        #expect(recorder.last?.headers.contains("Authorization") == false)

        let missing = await expectHTTPXError(.invalidArgument) { _ = try NetrcAuth(file: file.path + ".missing") }
        #expect(missing?.message.contains(".missing") == true)
        let bad = try TemporaryNetrc("machine h.test login")
        let malformed = await expectHTTPXError(.invalidArgument) { _ = try NetrcAuth(file: bad.path) }
        #expect(malformed?.message.contains(bad.path) == true)
    }
}

/// The environment (`NETRC`, `HOME`) is process-wide: these tests run one at a time, and
/// list only hosts no other test uses.
@Suite("netrc from the environment", .serialized)
struct NetrcEnvironmentTests {
    func client(trustEnv: Bool = true, auth: (any Auth)? = nil, recorder: Recorder) -> AsyncClient {
        AsyncClient(.init(auth: auth, transport: MockTransport { request in
            recorder.record(request)
            return Response(200)
        }, trustEnv: trustEnv))
    }

    @Test func netrcVariableIsReadOnceAndCachedPerClient() async throws {
        let file = try TemporaryNetrc("machine netrc-env.test login first password one\n")
        try await withEnvironment(["NETRC": file.path]) {
            let recorder = Recorder()
            let client = client(recorder: recorder)
            _ = try await client.get("http://netrc-env.test/")
            #expect(recorder.last?.headers["Authorization"] == BasicAuth("first", "one").headerValue)
            try file.write("machine netrc-env.test login second password two\n")
            _ = try await client.get("http://netrc-env.test/")
            #expect(recorder.last?.headers["Authorization"] == BasicAuth("first", "one").headerValue, "cached")
            _ = try await self.client(recorder: recorder).get("http://netrc-env.test/")
            #expect(recorder.last?.headers["Authorization"] == BasicAuth("second", "two").headerValue, "a new client reads it again")
            _ = try await client.get("http://elsewhere.test/")
            #expect(recorder.last?.headers.contains("Authorization") == false)
        }
    }

    @Test func otherAuthWinsAndTrustEnvOffDisables() async throws {
        let file = try TemporaryNetrc("machine netrc-env.test login n password p\n")
        try await withEnvironment(["NETRC": file.path]) {
            let recorder = Recorder()
            _ = try await client(trustEnv: false, recorder: recorder).get("http://netrc-env.test/")
            #expect(recorder.last?.headers.contains("Authorization") == false)
            _ = try await client(auth: .basic("explicit", "x"), recorder: recorder).get("http://netrc-env.test/")
            #expect(recorder.last?.headers["Authorization"] == BasicAuth("explicit", "x").headerValue)
            _ = try await client(recorder: recorder).get("http://url:pw@netrc-env.test/")
            #expect(recorder.last?.headers["Authorization"] == BasicAuth("url", "pw").headerValue)
            _ = try await client(recorder: recorder).get("http://netrc-env.test/", auth: .disabled)
            #expect(recorder.last?.headers.contains("Authorization") == false)
        }
    }

    @Test func homeDotNetrcThenUnderscoreNetrc() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("httpx-home-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        try Data("machine netrc-home.test login under password score\n".utf8).write(to: URL(fileURLWithPath: home + "/_netrc"))
        try await withEnvironment(["NETRC": nil, "HOME": home]) {
            let recorder = Recorder()
            _ = try await client(recorder: recorder).get("http://netrc-home.test/")
            #expect(recorder.last?.headers["Authorization"] == BasicAuth("under", "score").headerValue)
            try Data("machine netrc-home.test login dot password file\n".utf8).write(to: URL(fileURLWithPath: home + "/.netrc"))
            _ = try await client(recorder: recorder).get("http://netrc-home.test/")
            #expect(recorder.last?.headers["Authorization"] == BasicAuth("dot", "file").headerValue, "~/.netrc comes first")
        }
    }

    @Test func malformedOrMissingFileGivesNoCredentials() async throws {
        let file = try TemporaryNetrc("machine netrc-env.test login")
        for path in [file.path, file.path + ".missing"] {
            try await withEnvironment(["NETRC": path]) {
                let recorder = Recorder()
                let r = try await client(recorder: recorder).get("http://netrc-env.test/")
                #expect(r.statusCode == 200)
                #expect(recorder.last?.headers.contains("Authorization") == false)
            }
        }
    }
}

/// A `.netrc` file in the temporary folder, removed when the value goes away.
final class TemporaryNetrc {
    let path: String

    init(_ text: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("httpx-netrc-\(UInt64.random(in: 0...UInt64.max))").path
        try write(text)
    }

    func write(_ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs `body` with environment variables set (or unset for `nil`), then restores them.
func withEnvironment(_ values: [String: String?], _ body: () async throws -> Void) async throws {
    var saved: [String: String?] = [:]
    for (name, value) in values {
        saved[name] = getenv(name).map { String(cString: $0) }
        if let value { setenv(name, value, 1) } else { unsetenv(name) }
    }
    defer {
        for (name, value) in saved {
            if let value { setenv(name, value, 1) } else { unsetenv(name) }
        }
    }
    try await body()
}
