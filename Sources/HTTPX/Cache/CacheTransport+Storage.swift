#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore

extension CacheTransport {
    /// Statuses whose caching rules the cache implements (for `must-understand`): the final
    /// statuses of RFC 9110 it may store.
    static let understoodStatuses: Set<Int> = [
        200, 201, 202, 203, 204, 300, 301, 302, 303, 307, 308,
        400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 426, 451,
        500, 501, 502, 503, 504, 505,
    ]

    /// Fields never stored: hop-by-hop ones (RFC 9111 §3.1) and cookies being set.
    static let unstoredFields: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "transfer-encoding", "upgrade", "trailer",
        "proxy-authenticate", "proxy-authentication-info", "proxy-authorization", "set-cookie", "set-cookie2",
    ]

    /// Sends `request` to the server and stores the response when it may be; a 5xx answer or
    /// an unreachable server lets `stale` stand in when its `stale-if-error` allows.
    func fetch(
        _ request: Request, key: String, directives: CacheControl, existing: [CacheEntry], stale: CacheEntry? = nil
    ) async throws -> Response {
        let requestTime = now()
        let response: Response
        do {
            response = try await transport.handle(request)
        } catch let error as HTTPXError where error.is(.transport) {
            if let stale, let served = staleOnError(stale, request, directives) { return served }
            throw error
        }
        return await complete(
            response, request, key: key, directives: directives, existing: existing, stale: stale,
            requestTime: requestTime, responseTime: now())
    }

    /// A full response from the server, stored when it may be, and delivered. It replaces
    /// `stale` (the stored response it answers a validation of): when it may not be stored,
    /// `stale` is removed, unless it is a 5xx (a failure says nothing of the representation).
    func complete(
        _ response: Response, _ request: Request, key: String, directives: CacheControl, existing: [CacheEntry],
        stale: CacheEntry?, requestTime: Date, responseTime: Date
    ) async -> Response {
        if response.statusCode >= 500, let stale, let served = staleOnError(stale, request, directives) {
            await Self.discardBody(of: response)
            return served
        }
        let replaced = response.statusCode < 500 ? stale : nil
        let delivered = await storeIfAllowed(
            response, for: request, key: key, directives: directives, requestTime: requestTime,
            responseTime: responseTime, existing: existing, replacing: replaced)
        return finish(delivered, request, .miss)
    }

    /// Stores `response` when RFC 9111 §3 allows it and its body fits; returns the response to
    /// deliver. A body in memory is stored at once; a streamed one streams to the caller as it
    /// arrives, copied aside, and is stored when it ends within `maxEntrySize`. When it may not
    /// be stored (or turns out too long), `replaced` is removed.
    func storeIfAllowed(
        _ response: Response, for request: Request, key: String, directives: CacheControl, requestTime: Date,
        responseTime: Date, existing: [CacheEntry], replacing replaced: CacheEntry? = nil
    ) async -> Response {
        let announced = response.headers.first("Content-Length").flatMap { Int($0.trimmingSpaces) }
        guard let variantKey = storableVariantKey(response, request: request, directives: directives, responseTime: responseTime),
            (announced ?? 0) <= maxEntrySize
        else {
            if let replaced { await removeVariant(of: replaced, request: request) }
            return response
        }
        let (statusCode, reasonPhrase, httpVersion, headers) = (response.statusCode, response.reasonPhrase, response.httpVersion, response.headers)
        // What becomes of the body: stored when whole (`nil`: too long).
        let settle: @Sendable (ByteBuffer?) async -> Void = { [self] body in
            guard let body else {
                if let replaced { await removeVariant(of: replaced, request: request) }
                return
            }
            let entry = CacheEntry(
                key: key, variantKey: variantKey, statusCode: statusCode, reasonPhrase: reasonPhrase, httpVersion: httpVersion,
                headers: Self.storedHeaders(headers, bodyLength: body.readableBytes, statusCode: statusCode, responseTime: responseTime),
                body: body, requestTime: requestTime, responseTime: responseTime)
            await put(entry, existing: existing, request: request)
        }
        if case .buffer(let buffer) = response.body.storage {
            await settle(buffer.readableBytes <= maxEntrySize ? buffer : nil)
            return response
        }
        var delivered = response
        delivered.body = CacheBodyCapture.tee(response.body, limit: maxEntrySize, settle: settle)
        return delivered
    }

    /// Removes `entry`'s variant from the store (and no other), logging a failure.
    func removeVariant(of entry: CacheEntry, request: Request) async {
        do {
            try await store.remove(key: entry.key, variantKey: entry.variantKey)
        } catch {
            request.extensions.logger?.warning("HTTP cache: cannot remove the stored response to \(request): \(error)")
        }
    }

    /// The secondary key to store `response` under, or `nil` when it must not (or need not)
    /// be stored (RFC 9111 §3, §3.5).
    func storableVariantKey(_ response: Response, request: Request, directives requestDirectives: CacheControl, responseTime: Date) -> String? {
        guard request.method == .get, !requestDirectives.noStore else { return nil }
        let status = response.statusCode
        guard (200...599).contains(status), status != 206, status != 304 else { return nil }
        let headers = response.headers
        let directives = CacheControl(headers)
        let understood = Self.understoodStatuses.contains(status)
        if directives.mustUnderstand && !understood { return nil }
        // must-understand with a status understood overrides no-store (RFC 9111 §5.2.2.3).
        if directives.noStore && !(directives.mustUnderstand && understood) { return nil }
        if shared && directives.isPrivate { return nil }
        if shared && request.headers.contains("Authorization")
            && !(directives.mustRevalidate || directives.isPublic || directives.sMaxAge != nil)
        {
            return nil
        }
        // An event stream never ends while it is useful, and each reading is a new one.
        if Self.isEventStream(headers) { return nil }
        let names = CacheVary.names(in: headers)
        if names == ["*"] { return nil }
        let explicit = CacheFreshness.hasExplicitFreshness(headers, cacheControl: directives, shared: shared)
        guard explicit || directives.isPublic || (!shared && directives.isPrivate)
            || CacheFreshness.heuristicallyCacheable.contains(status)
        else { return nil }
        // Worth keeping only if it can be reused: validators, or some freshness.
        if !headers.contains("ETag") && !headers.contains("Last-Modified") {
            if directives.noCache { return nil }
            let date = CacheDate.parse(headers.first("Date"))?.timeIntervalSince1970 ?? responseTime.timeIntervalSince1970
            let lifetime = CacheFreshness.lifetime(
                headers: headers, statusCode: status, date: date, shared: shared, heuristicLimit: heuristicLimit)
            if lifetime <= 0 { return nil }
        }
        return CacheVary.key(for: request, names: names, store: store)
    }

    /// Whether `Content-Type` names `text/event-stream` (parameters aside).
    static func isEventStream(_ headers: Headers) -> Bool {
        guard let value = headers.first("Content-Type") else { return false }
        let essence = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return essence.trimmingSpaces.lowercased() == "text/event-stream"
    }

    /// The fields of a response as stored: hop-by-hop fields (and those `Connection` names),
    /// `Set-Cookie` dropped; a `Date` added when missing (RFC 9110 §6.6.1); `Content-Length`
    /// set to the stored body's length.
    static func storedHeaders(_ headers: Headers, bodyLength: Int, statusCode: Int, responseTime: Date) -> Headers {
        let named = connectionNamed(headers)
        var stored = Headers()
        for field in headers.fields {
            let name = field.name.lowercased()
            if unstoredFields.contains(name) || named.contains(name) { continue }
            stored.add(field.name, field.value)
        }
        if !stored.contains("Date") { stored.add("Date", CacheDate.format(responseTime)) }
        if statusCode != 204 { stored.set("Content-Length", String(bodyLength)) }
        return stored
    }

    /// The fields a `Connection` header names (hop-by-hop by that naming).
    static func connectionNamed(_ headers: Headers) -> Set<String> {
        var names = Set<String>()
        for value in headers.values(for: "Connection") {
            for item in value.split(separator: ",") { names.insert(item.trimmingSpaces.lowercased()) }
        }
        return names
    }

    /// Stores `entry`; when the stored variants of its URL vary on other fields, they go first.
    func put(_ entry: CacheEntry, existing: [CacheEntry], request: Request) async {
        let names = CacheVary.names(in: entry.headers)
        do {
            if existing.contains(where: { $0.variantKey != entry.variantKey && CacheVary.names(in: $0.headers) != names }) {
                try await store.remove(key: entry.key)
            }
            try await store.put(entry)
        } catch {
            request.extensions.logger?.warning("HTTP cache: cannot store the response to \(request): \(error)")
        }
    }

    /// Reads and drops a body that is not delivered (a 304's, a 5xx's replaced by a stale
    /// response), so its connection can be reused; closes it when it runs long.
    static func discardBody(of response: Response) async {
        if response.body.isBuffered { return }
        var read = 0
        do {
            for try await chunk in response.body.chunks {
                read += chunk.readableBytes
                if read > 64 << 10 { break }
            }
        } catch {}
        await response.close()
    }
}
