import Encodings
import Foundation
import Testing

/// The JSON parser against RFC 8259 and against Foundation's own parser: what both accept
/// means the same, and what the RFC refuses is refused.
@Suite struct JSONParserTests {
    func parse(_ text: String) -> JSONValue? {
        JSONValue.parse(Array(text.utf8))
    }

    @Test func valuesOfEveryKind() {
        #expect(parse(#" {"a" : [1, -2, 3.5, 1e3, -0.25E-2, true, false, null, "x"], "b": {}} "#) == [
            "a": [.integer(1), .integer(-2), .number(3.5), .number(1000), .number(-0.0025), true, false, .null, "x"],
            "b": .object([:]),
        ])
        #expect(parse("[]") == .array([]))
        #expect(parse("\t\r\n 42 \n") == .integer(42))
        #expect(parse("9223372036854775807") == .integer(Int64.max))
        #expect(parse("9223372036854775808") == .number(9_223_372_036_854_775_808), "beyond Int64: a double")
        #expect(parse("-0") == .integer(0))
        #expect(parse(#""""#) == .string(""))
    }

    @Test func stringEscapes() {
        #expect(parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(parse(#""\u0041\u00e9\u20ac""#) == .string("Aé€"))
        #expect(parse(#""\ud83d\ude00 and 😀""#) == .string("😀 and 😀"), "a surrogate pair, and raw UTF-8")
        #expect(parse(#""Zoë 日本""#) == .string("Zoë 日本"))
    }

    @Test func whatTheRFCRefusesIsRefused() {
        let refused = [
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a:1}", "{'a':1}", "01", "1.", ".5", "+1", "1e", "1e+",
            "-", "NaN", "Infinity", "-Infinity", "tru", "nul", "True", "[1]]", "{} {}", "\"abc", "\"\\x\"", "\"\\u12\"",
            "\"\\u12G4\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"", "\"a\u{1}b\"", "\"tab\there\"", "[1,2", "// c\n1",
            "1e999", "\u{FEFF}1",
        ]
        for text in refused {
            #expect(parse(text) == nil, "\(text.debugDescription)")
        }
        #expect(JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) == nil, "invalid UTF-8 in a string")
        #expect(JSONValue.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) == nil, "an encoded surrogate is not UTF-8")
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(parse(deep) != nil)
        let tooDeep = String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
        #expect(parse(tooDeep) == nil)
        let hostile = String(repeating: "{\"a\":", count: 100_000)
        #expect(parse(hostile) == nil, "no stack overflow")
    }

    @Test func aRepeatedKeyKeepsTheLastValue() {
        #expect(parse(#"{"sub":"first","sub":"last"}"#) == ["sub": "last"])
    }

    /// Documents of many shapes, generated from a fixed seed: where Foundation's parser
    /// accepts them, both agree on every value.
    @Test func agreesWithFoundation() throws {
        var generator = SeededGenerator(seed: 0x5eed)
        for _ in 0..<300 {
            let value = JSONValue.random(depth: 0, using: &generator)
            let text = Array(JSONValue.object(["v": value]).serialized(pretty: generator.next() % 2 == 0))
            let ours = try #require(JSONValue.parse(text), "\(String(decoding: text, as: UTF8.self))")
            let theirs = try JSONSerialization.jsonObject(with: Data(text)) as? NSDictionary
            let back = try JSONSerialization.jsonObject(with: Data(JSONValue.serialize(ours.objectValue!))) as? NSDictionary
            #expect(theirs == back, "\(String(decoding: text, as: UTF8.self))")
            #expect(JSONValue.parse(JSONValue.serialize(ours.objectValue!)) == ours, "our own output reads back the same")
        }
    }
}

/// A deterministic source of choices (Knuth's MMIX linear congruential generator, high
/// bits), so the generated cases are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 17 | state << 47
    }
}

extension JSONValue {
    /// A value of random shape: strings with escapes and non-ASCII text, numbers of every
    /// kind, nested containers.
    static func random(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        let pieces = ["a", "é", "日本", "\"", "\\", "/", "\n", "\t", "\u{1}", "😀", " ", "<b>", "\u{7F}", "\u{2028}"]
        switch generator.next() % (depth > 3 ? 5 : 7) {
        case 0: return .string((0..<Int(generator.next() % 6)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined())
        case 1: return .integer(Int64(bitPattern: generator.next()) >> Int64(generator.next() % 60))
        case 2: return .number(Double(Int64(bitPattern: generator.next() % 2_000_000) - 1_000_000) / 1024)
        case 3: return .bool(generator.next() % 2 == 0)
        case 4: return .null
        case 5: return .array((0..<Int(generator.next() % 4)).map { _ in random(depth: depth + 1, using: &generator) })
        default:
            var members: [String: JSONValue] = [:]
            for index in 0..<Int(generator.next() % 4) { members["k\(index)\(pieces[index])"] = random(depth: depth + 1, using: &generator) }
            return .object(members)
        }
    }
}
