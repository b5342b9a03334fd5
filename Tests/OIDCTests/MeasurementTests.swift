import Foundation
import JOSE
import OIDC
import Testing

/// Timings of the expensive steps, printed when OIDC_MEASURE=1 (off in normal runs, so
/// the suite stays fast and free of timing assertions).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["OIDC_MEASURE"] == "1", "set OIDC_MEASURE=1 to print timings"))
struct MeasurementTests {
    private func measure(_ label: String, iterations: Int, _ body: () throws -> Void) rethrows {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { try body() }
        let perCall = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations) / 1000
        print(String(format: "MEASURE %@: %.1f µs per call (%d calls)", label, perCall, iterations))
    }

    @Test func cryptoAndFlowTimings() throws {
        try measure("RSA-2048 generate", iterations: 5) { _ = try RSAKey.generate(bits: 2048) }
        let message = Array("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0".utf8)
        try measure("RS256 sign", iterations: 200) { _ = try TestKeys.primary.signRS256(message) }
        let signature = try TestKeys.primary.signRS256(message)
        let jwk = try TestKeys.primary.publicJWK(kid: "k")
        try measure("JWK -> EVP_PKEY", iterations: 500) { _ = try jwk.rsaPublicKey() }
        let publicKey = try jwk.rsaPublicKey()
        measure("RS256 verify", iterations: 2000) { _ = publicKey.verifyRS256(signature: signature, message: message) }

        let harness = Harness()
        var cache = TokenCache()
        _ = try harness.signIn(cache: &cache)
        try measure("full sign-in (authorize URL + callback + validation + cache), in-memory IdP", iterations: 200) {
            var flows = PendingFlows()
            let (query, flow) = try harness.begin(&flows)
            harness.tokenEndpointIssues(nonce: flow.nonce)
            var cache = TokenCache()
            _ = try harness.client.completeSignIn(AuthorizationResponse(code: "c", state: query["state"]), flows: &flows, cache: &cache)
        }
        let account = cache.accounts[0]
        try measure("silent token from cache", iterations: 2000) { _ = try harness.client.acquireTokenSilently(account: account, cache: &cache) }
        let serialized = cache.serialized()
        try measure("cache deserialize", iterations: 2000) { _ = try TokenCache(serialized: serialized) }
    }
}
