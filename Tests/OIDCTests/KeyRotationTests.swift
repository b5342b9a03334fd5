import Encodings
import Foundation
import HTTPClient
import JOSE
import OIDC
import Testing
import TestSupport

/// Signing-key rotation and a provider that is down: an unknown key id gets its JWKS
/// refetch at once (per key id, single-flight, at most 10 a minute), and a failed first
/// fetch is remembered for a few seconds instead of being retried by every request.
@Suite struct KeyRotationTests {
    /// The error a sign-in with a token signed by `key` under `kid` meets, nil on success.
    private func signIn(_ harness: Harness, key: RSAKey = TestKeys.primary, kid: String?) throws -> OIDCError? {
        var cache = TokenCache()
        guard case .failure(let error) = try harness.signIn(key: key, kid: kid, cache: &cache) else { return nil }
        return error
    }

    @Test func aRotationRightAfterAnotherUnknownKidSignsInAtTheFirstAttempt() throws {
        let harness = Harness()
        // A provider glitch: a token names a kid nobody publishes.
        #expect(try signIn(harness, kid: "glitch") == .idTokenRejected(.unknownKeyID("glitch")))
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 2)
        // Seconds later the provider really rotates; the first sign-in with the new key works.
        harness.clock.advance(5)
        harness.idp.publishedKeys = [.init(key: TestKeys.primary, kid: "key-1"), .init(key: TestKeys.secondary, kid: "key-2")]
        #expect(try signIn(harness, key: TestKeys.secondary, kid: "key-2") == nil)
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 3)
    }

    @Test func aBurstOfDistinctUnknownKidsMakesAtMostTenFetches() throws {
        let harness = Harness()
        _ = try harness.client.metadataStore.signingKeys()
        for index in 0..<50 {
            #expect(try signIn(harness, kid: "forged-\(index)") == .idTokenRejected(.unknownKeyID("forged-\(index)")))
        }
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 1 + 10)
        // A minute later the budget is back: a new kid gets its refetch again.
        harness.clock.advance(61)
        #expect(try signIn(harness, kid: "after-a-minute") == .idTokenRejected(.unknownKeyID("after-a-minute")))
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 12)
    }

    @Test func aConcurrentBurstStaysWithinTheCapToo() throws {
        let harness = Harness()
        _ = try harness.client.metadataStore.signingKeys()
        let group = DispatchGroup()
        for index in 0..<40 {
            DispatchQueue.global().async(group: group) { _ = try? signIn(harness, kid: "burst-\(index)") }
        }
        group.wait()
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) <= 1 + 10)
    }

    @Test func concurrentSignInsWithTheNewKeyShareOneRefetch() throws {
        let harness = Harness()
        _ = try harness.client.metadataStore.signingKeys()
        harness.idp.publishedKeys = [.init(key: TestKeys.secondary, kid: "key-2")]
        // One token endpoint serves every thread, so each code names its flow's nonce:
        // a shared answer would hand one thread another's nonce.
        harness.idp.onToken { [idp = harness.idp] form, _ throws(TransportError) in
            idp.tokenResponse(idToken: idp.signedIDToken(nonce: form["code"], key: TestKeys.secondary, kid: "key-2"))
        }
        let failures = LockedCounter()
        let group = DispatchGroup()
        for _ in 0..<16 {
            DispatchQueue.global().async(group: group) {
                var (flows, cache) = (PendingFlows(), TokenCache())
                guard let (query, flow) = try? harness.begin(&flows),
                      (try? harness.client.completeSignIn(AuthorizationResponse(code: flow.nonce, state: query["state"]),
                                                          flows: &flows, cache: &cache)) != nil
                else { return failures.increment() }
            }
        }
        group.wait()
        #expect(failures.value == 0, "every sign-in with the rotated key succeeded")
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 2, "one refetch for all of them")
    }

    @Test func aKidStillUnknownAfterItsRefetchIsRejectedWithoutAnother() throws {
        let harness = Harness()
        for _ in 0..<5 {
            #expect(try signIn(harness, kid: "ghost") == .idTokenRejected(.unknownKeyID("ghost")))
        }
        #expect(harness.idp.requestCount(to: harness.idp.jwksURI) == 2)
    }

    @Test func aFailedFirstDiscoveryIsRememberedForAFewSeconds() throws {
        let clock = TestClock(TestClock.fixedStart)
        let flaky = FlakyTransport(FakeIdentityProvider(clock: clock))
        flaky.failing = true
        let store = ProviderMetadataStore(authority: try Authority.entra("https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad"),
                                          transport: flaky, clock: clock.clock, logger: Harness.quietLogger)
        let expected = OIDCError.transport(.cannotResolveHost(host: "login.microsoftonline.com"), endpoint: .metadata)
        for _ in 0..<10 { #expect(throws: expected) { try store.metadata() } }
        #expect(flaky.attempts == 1, "requests within the retry interval get the remembered failure")
        clock.advance(4)
        #expect(throws: expected) { try store.metadata() }
        #expect(flaky.attempts == 1)
        clock.advance(2)
        #expect(throws: expected) { try store.metadata() }
        #expect(flaky.attempts == 2, "after the interval one request tries again")
        flaky.failing = false
        clock.advance(6)
        _ = try store.metadata()
        _ = try store.metadata()
        #expect(flaky.attempts == 3)
    }

    @Test func requestsQueuedBehindAFailingFetchDoNotEachStartTheirOwn() throws {
        let clock = TestClock(TestClock.fixedStart)
        let slow = SlowFailingTransport(delay: 0.2)
        let store = ProviderMetadataStore(authority: try Authority.entra("https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad"),
                                          transport: slow, clock: clock.clock, logger: Harness.quietLogger)
        let group = DispatchGroup()
        let failures = LockedCounter()
        for _ in 0..<16 {
            DispatchQueue.global().async(group: group) { if (try? store.metadata()) == nil { failures.increment() } }
        }
        group.wait()
        #expect(failures.value == 16)
        #expect(slow.attempts == 1)
    }

    @Test func aFailedFirstKeyFetchIsRememberedToo() throws {
        let clock = TestClock(TestClock.fixedStart)
        let idp = FakeIdentityProvider(clock: clock)
        let transport = FailingURL(idp, url: idp.jwksURI)
        let store = ProviderMetadataStore(authority: try Authority.entra(idp.authorityURL), transport: transport, clock: clock.clock,
                                          logger: Harness.quietLogger)
        for _ in 0..<5 { #expect(throws: OIDCError.self) { try store.signingKeys() } }
        #expect(idp.requestCount(to: idp.jwksURI) == 0)
        #expect(transport.failures == 1)
        clock.advance(6)
        #expect(throws: OIDCError.self) { try store.signingKeys() }
        #expect(transport.failures == 2)
    }
}

/// Fails every request, slowly, and counts them.
final class SlowFailingTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    let delay: TimeInterval

    init(delay: TimeInterval) { self.delay = delay }

    var attempts: Int { lock.withLock { count } }

    func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse {
        lock.withLock { count += 1 }
        Thread.sleep(forTimeInterval: delay)
        throw .timedOut
    }
}

/// Fails requests to one URL with connection refused; passes the others on.
final class FailingURL: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    let inner: any HTTPTransport
    let url: String

    init(_ inner: any HTTPTransport, url: String) {
        self.inner = inner
        self.url = url
    }

    var failures: Int { lock.withLock { count } }

    func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse {
        guard request.url == url else { return try inner.send(request) }
        lock.withLock { count += 1 }
        throw .connectionRefused(host: "login.microsoftonline.com")
    }
}
