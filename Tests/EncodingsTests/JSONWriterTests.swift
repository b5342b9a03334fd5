import Encodings
import Foundation
import Testing

/// The JSON writer: stable bytes, the escapes JSON needs and no others, and the indented
/// form people read on the Graph page.
@Suite struct JSONWriterTests {
    func text(_ value: JSONValue, pretty: Bool = false) -> String {
        String(decoding: value.serialized(pretty: pretty), as: UTF8.self)
    }

    @Test func keysAreSortedAndOutputIsCompact() {
        #expect(text(["b": 1, "a": ["c": true, "B": .null], "é": "x"]) == #"{"a":{"B":null,"c":true},"b":1,"é":"x"}"#)
        #expect(text([1, "two", [], [:]]) == #"[1,"two",[],{}]"#)
    }

    @Test func onlyWhatJSONNeedsIsEscaped() {
        #expect(text("quote\" backslash\\ slash/ tab\t nl\n cr\r bs\u{8} ff\u{c} nul\u{0} us\u{1f} del\u{7f} é 😀")
            == #""quote\" backslash\\ slash/ tab\t nl\n cr\r bs\b ff\f nul\u0000 us\u001f del"# + "\u{7f} é 😀\"")
    }

    @Test func numbers() {
        #expect(text(.integer(-42)) == "-42")
        #expect(text(.number(1_700_000_000)) == "1700000000")
        #expect(text(.number(0.5)) == "0.5")
        #expect(text(.number(1e-7)) == "1e-07")
        #expect(text(.number(.infinity)) == "null" && text(.number(.nan)) == "null", "JSON has no non-finite numbers")
        for number in [0.1, 1.5e300, -2.25, 123456789.125] {
            #expect(JSONValue.parse(JSONValue.number(number).serialized(pretty: false)) == .number(number))
        }
    }

    @Test func prettyOutputIsIndentedByTwo() {
        let value: JSONValue = ["displayName": "Adele", "businessPhones": [], "ids": [1, 2], "nested": ["a": .null]]
        #expect(text(value, pretty: true) == """
        {
          "businessPhones" : [],
          "displayName" : "Adele",
          "ids" : [
            1,
            2
          ],
          "nested" : {
            "a" : null
          }
        }
        """)
    }
}
