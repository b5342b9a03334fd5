import Testing

@testable import App

/// Graph profiles are laid out once per distinct body: the same bytes reuse the view, any
/// change of them (another user, an updated field) lays out anew, and the table is bounded.
@Suite struct ProfileViewsTests {
    static func body(_ name: String, mail: String) -> [UInt8] {
        Array(#"{"@odata.context":"x","displayName":"\#(name)","mail":"\#(mail)","id":"1"}"#.utf8)
    }

    static func value(_ view: ProfileViews.View?, _ label: String) -> String? {
        view?.rows.first { $0.name == label }?.value
    }

    @Test func theSameBytesAreLaidOutOnce() throws {
        let views = ProfileViews()
        let first = views.view(of: Self.body("Adele Vance", mail: "adele@example.org"))
        let second = views.view(of: Self.body("Adele Vance", mail: "adele@example.org"))
        #expect(views.renderCount == 1)
        #expect(Self.value(first, "Display name") == "Adele Vance")
        #expect(Self.value(second, "Mail") == "adele@example.org")
        #expect(try #require(second).rawJSON.contains(#""displayName" : "Adele Vance""#))
    }

    @Test func anotherBodyIsItsOwnView() {
        let views = ProfileViews()
        let adele = views.view(of: Self.body("Adele Vance", mail: "adele@example.org"))
        let megan = views.view(of: Self.body("Megan Bowen", mail: "megan@example.org"))
        let changed = views.view(of: Self.body("Adele Vance", mail: "adele.vance@example.org"))
        #expect(views.renderCount == 3)
        #expect(Self.value(adele, "Mail") == "adele@example.org")
        #expect(Self.value(megan, "Display name") == "Megan Bowen" && Self.value(megan, "Mail") == "megan@example.org")
        #expect(Self.value(changed, "Mail") == "adele.vance@example.org")
    }

    @Test func aBodyThatIsNotAJSONObjectHasNoView() {
        let views = ProfileViews()
        #expect(views.view(of: Array("<html>".utf8)) == nil)
        #expect(views.view(of: Array("[1,2]".utf8)) == nil)
        #expect(views.view(of: []) == nil, "an empty 200 is not a profile (and must not crash the key)")
        #expect(views.view(of: []) == nil)
    }

    @Test func theTableStaysWithinItsCapacity() {
        let views = ProfileViews(capacity: 4)
        for index in 0..<10 { _ = views.view(of: Self.body("User \(index)", mail: "u\(index)@example.org")) }
        #expect(views.renderCount == 10)
        // Still right for a body seen long ago (laid out again if it was dropped).
        #expect(Self.value(views.view(of: Self.body("User 0", mail: "u0@example.org")), "Display name") == "User 0")
        #expect(views.storedCount <= 4)
    }
}
