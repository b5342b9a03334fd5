@testable import HTTPCore
import Testing

/// The word-at-a-time field-text check answers exactly as the byte-at-a-time one: every
/// byte value at every position of words and their tails, runs of tabs, and random
/// buffers of every length up to a few words.
@Suite struct FieldTextTests {
    static func both(_ bytes: [UInt8]) -> (fast: Bool, bytewise: Bool) {
        bytes.withUnsafeBufferPointer { (ASCII.isFieldText($0), ASCII.isFieldTextBytewise($0)) }
    }

    @Test func everyByteAtEveryPositionIsJudgedAsByteByByte() {
        for length in [1, 7, 8, 9, 16, 17, 23] {
            for position in 0..<length {
                for value in UInt8.min...UInt8.max {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = value
                    let (fast, bytewise) = Self.both(bytes)
                    #expect(fast == bytewise, "byte \(value) at \(position) of \(length)")
                }
            }
        }
    }

    @Test func theRulesThemselves() {
        #expect(Self.both([]).fast)
        #expect(Self.both(Array("Bearer eyJ0eXAi.abc-_~ \t\u{e9}".utf8)).fast, "visible, space, tab and UTF-8 are field text")
        for refused: UInt8 in [0x00, 0x0A, 0x0D, 0x1F, 0x7F] {
            #expect(!Self.both(Array(repeating: UInt8(ascii: "x"), count: 20) + [refused] + Array(repeating: UInt8(ascii: "x"), count: 20)).fast)
        }
    }

    @Test func randomBuffersAgree() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x21, 0x41, 0x7E, 0x7F, 0x80, 0x9F, 0xA0, 0xFF]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &generator)
            // Mostly ordinary text, sometimes one of the edge bytes.
            let bytes = (0..<length).map { _ in
                Int.random(in: 0..<6, using: &generator) == 0 ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0x20...0x7E, using: &generator)
            }
            let (fast, bytewise) = Self.both(bytes)
            #expect(fast == bytewise, "\(bytes)")
        }
    }
}
