import HTTPServer

/// `GET /healthz`: a tiny answer for liveness probes and the benchmark, which never touches
/// the session store or the provider (the process is alive even while they are not).
/// `GET /readyz`: 200 or 503 with a short JSON reason, for load balancers deciding whether
/// to send this instance traffic (`ReadinessProbe`).
enum HealthRoutes {
    /// Both routes; `readiness` answers `/readyz`.
    static func register(on router: Router, readiness: ReadinessProbe) {
        let ok = HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain", "Cache-Control": "no-store"], body: Array("ok".utf8))
        router.get("/healthz", .nonBlocking) { _ in ok }
        // A PING or a metadata fetch: on a worker.
        router.get("/readyz", .blocking) { _ in
            let report = readiness.report()
            return HTTPResponse(status: report.isReady ? .ok : .serviceUnavailable,
                                headers: ["Content-Type": "application/json", "Cache-Control": "no-store"], body: report.json)
        }
    }
}
