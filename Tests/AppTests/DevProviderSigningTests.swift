@_spi(Testing) import DevIdentityProvider
import Foundation
import Synchronization
import Testing
import TestSupport

/// The development provider signs tokens on a lane of its own: with the app's worker pool
/// shrunk to two threads, both busy in callbacks that wait for the token endpoint, every
/// sign-in still completes, and the event loop answers `/healthz` while the signing runs.
@Suite struct DevProviderSigningTests {
    @Test func concurrentSignInsCompleteWithTwoWorkers() throws {
        let app = try RunningApp(workerThreads: 2)
        // Slow signing keeps every callback (and so every worker) waiting for a while.
        app.provider.faults.withLock { $0.tokenSigningDelay = .milliseconds(150) }
        let browsers = (0..<8).map { _ in app.browser() }
        let callbacks = try browsers.map { browser in
            try app.callbackURL(browser, as: "adele")
        }
        let healthz = Mutex<[Double]>([])
        let landed = Mutex<Int>(0)
        let errors = onThreads(9) { index in
            if index == 8 {
                // Probes while the callbacks run.
                for _ in 0..<10 {
                    let start = Date()
                    guard try app.browser().get("/healthz").status == 200 else { throw RunningApp.Unexpected(page: try app.browser().get("/healthz")) }
                    healthz.withLock { $0.append(Date().timeIntervalSince(start)) }
                    usleep(50_000)
                }
                return
            }
            let page = try browsers[index].follow(browsers[index].get(callbacks[index]))
            guard page.body.contains("Welcome, Adele Vance") else { throw RunningApp.Unexpected(page: page) }
            landed.withLock { $0 += 1 }
        }
        #expect(errors.isEmpty, "\(errors.prefix(2))")
        #expect(landed.withLock { $0 } == 8)
        #expect(app.provider.counters.withLock { $0.codesRedeemed } == 8)
        // Generous: a stall of the loop behind the signing would take 8 x 150 ms and more.
        let worst = healthz.withLock { $0.max() } ?? .infinity
        #expect(worst < 1.0, "/healthz waited \(worst) s")
    }
}
