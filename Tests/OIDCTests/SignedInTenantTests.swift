import Encodings
import Foundation
import OIDC
import Testing

/// A session signed in earlier, judged by today's tenant rules (`tenantRefusal`): cheap
/// string checks, no network.
@Suite struct SignedInTenantTests {
    static let home = "9188040d-6c67-4c5b-b112-36a304b66dad"
    static let other = "22222222-2222-2222-2222-222222222222"

    func claims(tid: String?, iss: String? = nil) -> IDTokenClaims {
        var raw: [String: JSONValue] = ["sub": "s"]
        if let tid { raw["tid"] = .string(tid) }
        if let iss { raw["iss"] = .string(iss) }
        return IDTokenClaims(raw: raw)
    }

    @Test func aListedTenantStaysAndAnotherIsNamed() {
        let harness = Harness(tenant: "organizations", tenants: .only([Self.home]))
        #expect(harness.client.tenantRefusal(forSignedIn: claims(tid: Self.home)) == nil)
        #expect(harness.client.tenantRefusal(forSignedIn: claims(tid: Self.home.uppercased())) == nil)
        #expect(harness.client.tenantRefusal(forSignedIn: claims(tid: Self.other)) == Self.other)
        #expect(harness.client.tenantRefusal(forSignedIn: claims(tid: nil)) == "none")
        #expect(harness.client.tenantRefusal(forSignedIn: claims(tid: "evil\ninjected=1")) == "evil?injected?1", "log-safe")
        #expect(harness.idp.requests.isEmpty, "no network")
    }

    @Test func anyTenantOnPurposeKeepsEveryone() {
        let harness = Harness(tenant: "organizations", tenants: .anyTenant)
        #expect(harness.client.tenantRefusal(forSignedIn: claims(tid: Self.other)) == nil)
    }

    /// An authority naming its tenant by id: a session of another tenant (AUTHORITY changed)
    /// is refused without asking the provider.
    @Test func aTenantPinnedByIdMustMatch() {
        let harness = Harness(tenant: Self.home)
        #expect(harness.client.tenantRefusal(forSignedIn: claims(tid: Self.home)) == nil)
        #expect(harness.client.tenantRefusal(forSignedIn: claims(tid: Self.other)) == Self.other)
        #expect(harness.client.tenantRefusal(forSignedIn: claims(tid: nil)) == "none")
    }

    /// Other authorities are pinned by their issuer, compared once the discovery document
    /// has been fetched anyway (never fetched for the check).
    @Test func anIssuerPinnedAuthorityComparesTheFetchedIssuer() throws {
        let harness = Harness(genericIssuer: "https://id.example.org")
        #expect(harness.client.tenantRefusal(forSignedIn: claims(tid: nil, iss: "https://elsewhere.example")) == nil,
                "nothing fetched yet: nothing to compare with")
        var flows = PendingFlows()
        _ = try harness.begin(&flows) // fetches the metadata
        #expect(harness.client.tenantRefusal(forSignedIn: claims(tid: nil, iss: "https://id.example.org")) == nil)
        #expect(harness.client.tenantRefusal(forSignedIn: claims(tid: nil, iss: "https://elsewhere.example")) == "none")
    }
}
