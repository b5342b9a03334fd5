import Encodings
import Testing

/// Reading one cookie's values out of a `Cookie` header.
@Suite struct CookieHeaderTests {
    func values(_ name: String, _ header: String) -> [String] {
        var seen: [String] = []
        let _: Bool? = CookieHeader.firstValue(named: name, in: header) { value in
            seen.append(String(value))
            return nil
        }
        return seen
    }

    @Test func everyValueOfTheNameInOrder() {
        #expect(values("session", "a=1; session=x; b=2;session=\"y\"; session = z;\tsession=w \t") == ["x", "y", "w"],
                "a name followed by a blank is another name")
        #expect(values("session", "sessionx=1; xsession=2; session") == [], "exact names only; no `=`, no value")
        #expect(values("session", "session=; session=\"\"") == ["", ""])
        #expect(values("s", "s=Zoë; s=日本") == ["Zoë", "日本"])
        #expect(values("s", "") == [] && values("s", ";;;") == [])
    }

    @Test func theFirstResultWins() {
        let found = CookieHeader.firstValue(named: "s", in: "s=bad; s=good; s=later") { $0 == "bad" ? nil : String($0) }
        #expect(found == "good")
    }
}
