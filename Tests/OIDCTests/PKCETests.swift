import CryptoSupport
import OIDC
import Testing

/// PKCE (RFC 7636): the appendix B vector and verifier rules.
@Suite struct PKCETests {
    // RFC 7636 appendix B. (The brief quoted the challenge as "...K1zWNOldXPE7hgrVHI";
    // the RFC and an independent SHA-256 both give the value below.)
    @Test func rfc7636AppendixBVector() {
        #expect(PKCE.challenge(forVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test func generatedVerifiersAreValidAndComeFromTheInjectedSource() {
        let random = CountingRandom()
        let verifier = PKCE.makeVerifier(using: random)
        #expect(verifier.count == 43)
        #expect(PKCE.isValidVerifier(verifier))
        #expect(random.requestedByteCounts == [32])
        #expect(PKCE.makeVerifier(using: random) != verifier)
    }

    @Test func verifierRules() {
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 42)))
        #expect(PKCE.isValidVerifier(String(repeating: "a", count: 128)))
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 129)))
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 42) + "+"))
    }
}
