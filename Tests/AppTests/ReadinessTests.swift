@_spi(Testing) import App
import Foundation
import RedisClient
import RedisTestSupport
import Testing

/// `/readyz`: 200 only while the session store and the provider's metadata are usable, a
/// short JSON reason otherwise (no host names, no error texts), and a cached answer so load
/// balancers probing often do not hammer Redis.
@Suite struct ReadinessTests {
    @Test func readyOnTheFileStoreAndUnavailableWhenItsDirectoryIsGone() throws {
        let app = try RunningApp()
        let ready = try app.browser().get("/readyz")
        #expect(ready.status == 200)
        #expect(ready.body == #"{"checks":{"identityProvider":"ok","sessionStore":"ok"},"status":"ready"}"#)
        #expect(ready.header("Content-Type") == "application/json" && ready.header("Cache-Control") == "no-store")

        try FileManager.default.removeItem(at: app.sessionDirectory)
        try eventually {
            let page = try app.browser().get("/readyz")
            return page.status == 503
                && page.body == #"{"checks":{"identityProvider":"ok","sessionStore":"unreachable"},"reason":"session store unreachable","status":"unavailable"}"#
        }
        #expect(!(try app.browser().get("/readyz").body.contains(app.sessionDirectory.path)))
        #expect(app.log.text.contains("Not ready"))
    }

    /// A provider whose metadata cannot be fetched (nothing listens there): 503, and the
    /// reason names the provider's metadata, not the address.
    @Test func unavailableWhileTheProvidersMetadataCannotBeFetched() throws {
        let app = try RunningApp([
            "DEV_IDP": "0", "CLIENT_ID": "client", "CLIENT_SECRET": "secret",
            "OIDC_AUTHORITY": "http://127.0.0.1:\(try RedisServer.freePort())",
        ])
        let page = try app.browser().get("/readyz")
        #expect(page.status == 503)
        #expect(page.body == #"{"checks":{"identityProvider":"unreachable","sessionStore":"ok"},"reason":"identity provider metadata unavailable","status":"unavailable"}"#)
    }

    /// 50 probes in a row cost Redis one PING: the answer is reused for 2 seconds.
    @Test func probesShareOneCheck() throws {
        let redis = try RedisServer.start()
        let app = try RunningApp(["SESSION_STORE": redis.url(), "SESSION_SECRET": TestApp.sharedSecret])
        _ = try redis.cli(["CONFIG", "RESETSTAT"])
        let started = Date()
        for _ in 0..<50 { #expect(try app.browser().get("/readyz").status == 200) }
        let elapsed = Date().timeIntervalSince(started)
        let stats = try redis.cli(["INFO", "commandstats"])
        let pings = stats.split(whereSeparator: \.isNewline).first { $0.hasPrefix("cmdstat_ping:") }
            .flatMap { $0.split(separator: "=").dropFirst().first?.split(separator: ",").first }.flatMap { Int($0) } ?? 0
        // One check per started 2 s.
        #expect(pings >= 1 && pings <= Int(elapsed / 2) + 1, "\(pings) PINGs in \(elapsed) s")
    }
}
