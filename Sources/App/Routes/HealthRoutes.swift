import HTTPServer

/// `GET /healthz`: a tiny answer for load balancers and the benchmark.
enum HealthRoutes {
    static func register(on router: Router) {
        let ok = HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain", "Cache-Control": "no-store"], body: Array("ok".utf8))
        router.get("/healthz", .nonBlocking) { _ in ok }
    }
}
