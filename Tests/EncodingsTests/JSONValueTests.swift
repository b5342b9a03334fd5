import Encodings
import Foundation
import Testing

/// JSON values: claims of any shape survive a round trip; typed accessors.
@Suite struct JSONValueTests {
    @Test func claimsOfAnyShapeRoundTrip() throws {
        let claims: [String: JSONValue] = [
            "name": "Zoë <script>", "exp": 1_700_000_000, "ratio": .number(0.5), "admin": true,
            "roles": ["admin", "reader"], "address": ["city": "Oslo"], "missing": .null,
        ]
        let bytes = JSONValue.serialize(claims)
        #expect(JSONValue.parseObject(bytes) == claims)
    }

    @Test func typedAccessors() {
        #expect(JSONValue.array(["a", "b"]).stringArrayValue == ["a", "b"])
        #expect(JSONValue.array(["a", 1]).stringArrayValue == nil)
        #expect(JSONValue.number(1.7e9).integerValue == 1_700_000_000)
        #expect(JSONValue.integer(3).numberValue == 3)
        #expect(JSONValue.string("x").integerValue == nil)
    }

    @Test func serializationIsStable() {
        #expect(String(decoding: JSONValue.serialize(["b": 1, "a": "x/y"]), as: UTF8.self) == #"{"a":"x/y","b":1}"#)
    }

    @Test func parseObjectRejectsNonObjects() {
        #expect(JSONValue.parseObject(Array("[1,2]".utf8)) == nil)
        #expect(JSONValue.parseObject(Array("not json".utf8)) == nil)
    }
}
