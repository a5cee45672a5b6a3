import Tracing

extension AsyncClient {
    /// Sends a built request through auth, redirects and event hooks, and reads its body.
    ///
    /// - Parameters:
    ///   - request: the request, as ``buildRequest(_:_:params:headers:cookies:content:data:files:json:timeout:extensions:)`` made it.
    ///   - auth: the auth for this request; `nil` uses the client's, `.disabled` none.
    ///   - followRedirects: whether to follow redirects; `nil` uses the client's setting.
    ///   - stream: when true, the body is left unread for you to stream; you must then read
    ///     it to its end or call ``Response/close()``.
    public func send(
        _ request: Request, auth: (any Auth)? = nil, followRedirects: Bool? = nil, stream: Bool = false
    ) async throws -> Response {
        guard !isClosed else {
            throw HTTPXError(.clientClosed, "Cannot send \(request): the client has been closed", request: request)
        }
        var request = request
        if let logger, request.extensions.logger == nil { request.extensions.logger = logger }
        if let deadline = request.extensions.deadline ?? deadline, request.extensions.expiry == nil {
            let expiry = ContinuousClock.now + deadline
            request.extensions.expiry = expiry
            let started = request
            let response = try await Deadline.run(until: expiry, describing: deadline, for: started) { [self] in
                try await send(started, auth: auth, followRedirects: followRedirects, stream: stream)
            }
            // A streamed body is read after this returns: its reads fail once the deadline passed.
            response.body.setExpiry(expiry, deadline: deadline, request: started)
            return response
        }
        guard let tracer else {
            return try await send(request, auth: auth, followRedirects: followRedirects, stream: stream, span: nil)
        }
        return try await tracer.withRequestSpan(request) { span in
            do {
                let response = try await send(request, auth: auth, followRedirects: followRedirects, stream: stream, span: span)
                span.finish(response, resends: response.history.count + response.retries)
                return response
            } catch {
                span.fail(error)
                throw error
            }
        }
    }

    private func send(_ request: Request, auth: (any Auth)?, followRedirects: Bool?, stream: Bool, span: RequestSpan?)
        async throws -> Response
    {
        let settings = self.settings
        var response = try await sendHandlingAuth(
            request, auth: resolveAuth(auth, default: settings.auth, for: request),
            followRedirects: followRedirects ?? settings.followRedirects, hooks: settings.eventHooks, span: span)
        if !stream {
            try await readBody(of: &response)
        }
        return response
    }

    private func resolveAuth(_ requested: (any Auth)?, default auth: (any Auth)?, for request: Request) -> (any Auth)? {
        if let requested { return requested is DisabledAuth ? nil : requested }
        if let auth { return auth }
        if !request.url.userinfo.isEmpty {
            return BasicAuth(request.url.username, request.url.password)
        }
        if trustEnv, let entry = netrcCache.netrc?.entry(for: request.url.rawHost), let login = entry.login {
            return BasicAuth(login, entry.password ?? "")
        }
        return nil
    }

    private func sendHandlingAuth(
        _ request: Request, auth: (any Auth)?, followRedirects: Bool, hooks: EventHooks, span: RequestSpan?
    ) async throws -> Response {
        guard let auth else {
            return try await sendHandlingRedirects(
                request, followRedirects: followRedirects, history: [], hooks: hooks, span: span)
        }
        var request = request
        if auth.requiresRequestBody { try await request.read() }
        let steps = AuthSteps(auth: auth)
        let flow = AuthFlow { [self] next in
            var next = next
            let history = try await steps.begin(
                &next,
                step: { previous in
                    previous.request.extensions.logger?.debug(
                        "Auth step: \(type(of: auth)) answers \(previous.statusCode) with another request",
                        metadata: ["url.full": "\(previous.url.removingUserinfo)"])
                    span?.addEvent("auth step", ["http.response.status_code": .int64(Int64(previous.statusCode))])
                },
                cookies: { previous, next in self.cookieHeader(after: previous, for: next) })
            var response = try await sendHandlingRedirects(
                next, followRedirects: followRedirects, history: history, hooks: hooks, span: span)
            if auth.requiresResponseBody { try await readBody(of: &response) }
            steps.sent(response)
            return response
        }
        do {
            let response = try await auth.authFlow(for: request, flow: flow)
            await steps.finish(returning: response)
            return response
        } catch let error as HTTPXError {
            await steps.abandon()
            throw error.attaching(request)
        } catch {
            await steps.abandon()
            throw error
        }
    }

    private func sendHandlingRedirects(
        _ request: Request, followRedirects: Bool, history: [Response], hooks: EventHooks, span: RequestSpan?
    ) async throws -> Response {
        var request = request
        var history = history
        while true {
            let redirects = history.filter(\.isRedirect).count
            if redirects > maxRedirects {
                throw HTTPXError(
                    .tooManyRedirects,
                    "Exceeded the maximum of \(maxRedirects) redirects while requesting \(request)", request: request)
            }
            for hook in hooks.request { try await hook(&request) }
            var response = try await sendSingle(request, span: span)
            do {
                response.history = history
                for hook in hooks.response { try await hook(&response) }
                guard response.isRedirect else { return response }
                let redirect = try redirectRequest(from: request, response: response)
                if !followRedirects {
                    response.nextRequest = redirect
                    return response
                }
                try Self.checkFollowable(redirect, from: request, response: response)
                try await readBody(of: &response)
                history.append(response)
                request.extensions.logger?.debug(
                    "Redirect: \(response.statusCode) to \(redirect.method) \(redirect.url.removingUserinfo)",
                    metadata: ["url.full": "\(request.url.removingUserinfo)"])
                span?.addEvent(
                    "redirect",
                    ["http.response.status_code": .int64(Int64(response.statusCode)), "url.full": .string(redirect.url.removingUserinfo.description)])
                request = redirect
            } catch {
                await response.close()
                throw error
            }
        }
    }

    /// Sends one hop, again as the request's ``RetryPolicy`` says after a failure or a
    /// retryable status.
    private func sendSingle(_ request: Request, span: RequestSpan?) async throws -> Response {
        let policy = request.extensions.retry ?? retry
        guard policy.allows(request) else { return try await sendOnce(request) }
        let started = ContinuousClock.now
        var attempt = 0
        while true {
            let reason: String
            var retryAfter: Duration?
            do {
                var response = try await sendOnce(request)
                guard attempt < policy.maxRetries, policy.statuses.contains(response.statusCode) else {
                    response.retries = attempt
                    return response
                }
                retryAfter = RetryAfter.delay(in: response)
                if let retryAfter, retryAfter > policy.maxRetryAfter {
                    // The server asks for a longer wait than the policy allows: its answer stands.
                    response.retries = attempt
                    return response
                }
                reason = "status \(response.statusCode)"
                // The body is read and dropped, so the connection can serve the next attempt.
                do { try await response.read() } catch { await response.close() }
            } catch {
                guard attempt < policy.maxRetries, policy.retries(error) else { throw error }
                reason = (error as? HTTPXError).map { "\($0.kind.name): \($0.message)" } ?? "\(error)"
            }
            attempt += 1
            let delay = retryAfter ?? policy.backoff(attempt: attempt)
            let elapsed = ContinuousClock.now - started
            if let budget = policy.budget, elapsed + delay > budget {
                throw HTTPXError(
                    .timeout,
                    "Gave up retrying \(request) after \(attempt) attempt(s) in \(elapsed.secondsDescription) s: the retry budget of \(budget.secondsDescription) s would pass (last: \(reason))",
                    request: request)
            }
            if let expiry = request.extensions.expiry, ContinuousClock.now + delay >= expiry {
                throw HTTPXError(
                    .deadlineExceeded, "The deadline of \(request) would pass before retry \(attempt) (last: \(reason))",
                    request: request)
            }
            request.extensions.trace?(.retrying(attempt: attempt, delay: delay, reason: reason))
            span?.addEvent("retry", ["http.request.resend_count": .int64(Int64(attempt)), "error.type": .string(reason)])
            request.extensions.logger?.info(
                "Retrying: \(request.method) \(request.url.removingUserinfo) in \(delay.secondsDescription) s (retry \(attempt) of \(policy.maxRetries), after \(reason))")
            try await Task.sleep(for: delay)
        }
    }

    private func sendOnce(_ request: Request) async throws -> Response {
        var request = request
        // Within a deadline, no wait may outlast it: each timeout is cut to the time left.
        if let expiry = request.extensions.expiry { request.extensions.timeout = request.extensions.timeout.capped(until: expiry) }
        try request.validate()
        if let tracer, let context = ServiceContext.current {
            tracer.inject(context, into: &request.headers, using: HeadersInjector())
        }
        let transport = transport(for: request.url)
        let start = ContinuousClock.now
        let active = metrics?.requestStarted(request)
        defer { active?.decrement() }
        var response: Response
        do {
            response = try await transport.handle(request)
        } catch {
            let failure = (error as? HTTPXError)?.attaching(request) ?? error
            metrics?.recordRequest(request, outcome: .failure(failure), duration: ContinuousClock.now - start)
            request.extensions.logger?.info(
                "HTTP Request: \(request.method) \(request.url.removingUserinfo) failed: \(ClientMetrics.errorType(failure))")
            throw failure
        }
        metrics?.recordRequest(request, outcome: .success(response), duration: ContinuousClock.now - start)
        if let logger = request.extensions.logger {
            // As httpx logs it: HTTP Request: GET https://example.org/ "HTTP/1.1 200 OK"
            logger.info(
                "HTTP Request: \(request.method) \(request.url.removingUserinfo) \"\(response.httpVersion) \(response.statusCode) \(response.reasonPhrase)\"")
        }
        response.request = request
        response.elapsed = ContinuousClock.now - start
        response.sentAt = start
        response.defaultEncoding = defaultEncoding
        response.limits = limits
        if response.headers.contains("Set-Cookie") {
            withCookies { $0.extract(from: response.headers, for: request.url) }
        }
        return response
    }

    /// Reads a response's body into memory, closing it if reading fails.
    func readBody(of response: inout Response) async throws {
        do {
            try await response.read()
        } catch let error as HTTPXError {
            await response.close()
            throw error.attaching(response.request)
        } catch {
            await response.close()
            throw error
        }
    }
}
