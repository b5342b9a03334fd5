import Foundation
import HTTPClient
import OIDC
import Testing
import TestSupport

/// Discovery and JWKS: one fetch per process under concurrency, 24-hour refresh, stale
/// copy kept when a refresh fails, clear errors for bad documents.
@Suite struct MetadataStoreTests {
    @Test func concurrentSignInsCauseExactlyOneFetch() throws {
        let harness = Harness()
        harness.idp.metadataDelay = 0.2
        let group = DispatchGroup()
        let failures = LockedCounter()
        for _ in 0..<16 {
            DispatchQueue.global().async(group: group) {
                var flows = PendingFlows()
                if (try? harness.client.beginSignIn(flows: &flows)) == nil { failures.increment() }
                if (try? harness.client.metadataStore.signingKeys()) == nil { failures.increment() }
            }
        }
        group.wait()
        #expect(failures.value == 0)
        #expect(harness.idp.requestCount(to: harness.idp.metadataURL) == 1)
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 1)
    }

    @Test func refreshedAfter24Hours() throws {
        let harness = Harness()
        _ = try harness.client.metadataStore.metadata()
        _ = try harness.client.metadataStore.signingKeys()
        harness.clock.advance(23 * 3600)
        _ = try harness.client.metadataStore.metadata()
        _ = try harness.client.metadataStore.signingKeys()
        #expect(harness.idp.requestCount(to: harness.idp.metadataURL) == 1)
        harness.clock.advance(3601)
        _ = try harness.client.metadataStore.metadata()
        _ = try harness.client.metadataStore.signingKeys()
        #expect(harness.idp.requestCount(to: harness.idp.metadataURL) == 2)
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 2)
    }

    @Test func failedRefreshKeepsTheCachedCopy() throws {
        let clock = TestClock(TestClock.fixedStart)
        let idp = FakeIdentityProvider(clock: clock)
        let flaky = FlakyTransport(idp)
        let store = ProviderMetadataStore(authority: try Authority.entra(idp.authorityURL), transport: flaky, clock: clock.clock, logger: Harness.quietLogger)
        let first = try store.metadata()
        clock.advance(25 * 3600)
        flaky.failing = true
        #expect(try store.metadata() == first)
        // Retried at most once a minute while failing.
        #expect(try store.metadata() == first)
        #expect(flaky.attempts == 2)
    }

    @Test func firstFetchErrorsAreTyped() throws {
        let clock = TestClock(TestClock.fixedStart)
        let idp = FakeIdentityProvider(clock: clock)
        let flaky = FlakyTransport(idp)
        flaky.failing = true
        let store = ProviderMetadataStore(authority: try Authority.entra(idp.authorityURL), transport: flaky, clock: clock.clock, logger: Harness.quietLogger)
        #expect(throws: OIDCError.transport(.cannotResolveHost(host: "login.microsoftonline.com"), endpoint: .metadata)) { try store.metadata() }
    }

    @Test func genericIssuerMustMatchTheConfiguredAuthority() throws {
        let clock = TestClock(TestClock.fixedStart)
        let idp = FakeIdentityProvider(genericIssuer: "https://idp.example.com", clock: clock)
        let store = ProviderMetadataStore(authority: try Authority.generic("https://idp.example.com/"), transport: idp, clock: clock.clock, logger: Harness.quietLogger)
        _ = try store.metadata()
        let other = FakeIdentityProvider(genericIssuer: "https://idp.example.com", clock: clock)
        let mismatched = ProviderMetadataStore(authority: try Authority.generic("https://idp.example.com"), transport: Rewriting(other) { body in
            String(decoding: body, as: UTF8.self).replacingOccurrences(of: #""issuer":"https://idp.example.com""#, with: #""issuer":"https://evil.example""#)
        }, clock: clock.clock, logger: Harness.quietLogger)
        #expect(throws: OIDCError.invalidMetadata("issuer does not match OIDC_AUTHORITY")) { try mismatched.metadata() }
    }

    @Test func httpEndpointsAreRefused() throws {
        let clock = TestClock(TestClock.fixedStart)
        let idp = FakeIdentityProvider(clock: clock)
        let store = ProviderMetadataStore(authority: try Authority.entra(idp.authorityURL), transport: Rewriting(idp) { body in
            String(decoding: body, as: UTF8.self).replacingOccurrences(of: "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/oauth2/v2.0/token",
                                                                       with: "http://login.microsoftonline.com/token")
        }, clock: clock.clock, logger: Harness.quietLogger)
        #expect(throws: OIDCError.invalidMetadata("token_endpoint must be an https URL")) { try store.metadata() }
    }

    @Test func notJSONMetadata() throws {
        let clock = TestClock(TestClock.fixedStart)
        let idp = FakeIdentityProvider(clock: clock)
        let store = ProviderMetadataStore(authority: try Authority.entra(idp.authorityURL), transport: Rewriting(idp) { _ in "<html>" }, clock: clock.clock, logger: Harness.quietLogger)
        #expect(throws: OIDCError.self) { try store.metadata() }
    }
}

/// Counts from several threads.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// Fails every request with a resolver error while `failing` is set.
final class FlakyTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private let inner: any HTTPTransport
    private var _failing = false
    private var _attempts = 0

    init(_ inner: any HTTPTransport) { self.inner = inner }

    var failing: Bool {
        get { lock.withLock { _failing } }
        set { lock.withLock { _failing = newValue } }
    }

    var attempts: Int { lock.withLock { _attempts } }

    func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse {
        let failing = lock.withLock { () -> Bool in
            _attempts += 1
            return _failing
        }
        if failing { throw .cannotResolveHost(host: "login.microsoftonline.com") }
        return try inner.send(request)
    }
}

/// Rewrites response bodies of another transport.
struct Rewriting: HTTPTransport {
    let inner: any HTTPTransport
    let rewrite: @Sendable ([UInt8]) -> String

    init(_ inner: any HTTPTransport, _ rewrite: @escaping @Sendable ([UInt8]) -> String) {
        self.inner = inner
        self.rewrite = rewrite
    }

    func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse {
        var response = try inner.send(request)
        response.body = Array(rewrite(response.body).utf8)
        return response
    }
}
