import Encodings
import Testing

/// Whitespace trimming for configuration lines and header fields.
@Suite struct TrimmingTests {
    @Test func trimsSpacesTabsAndLineEndsAtBothEnds() {
        #expect(" \tvalue \r\n".trimmingWhitespace == "value")
        #expect("\r\nvalue\r".trimmingWhitespace == "value")
        #expect("value".trimmingWhitespace == "value")
    }

    @Test func keepsInnerWhitespace() {
        #expect("  two words\there  ".trimmingWhitespace == "two words\there")
    }

    @Test func emptyAndAllWhitespaceBecomeEmpty() {
        #expect("".trimmingWhitespace.isEmpty)
        #expect(" \t\r\n ".trimmingWhitespace.isEmpty)
    }

    @Test func leavesOtherUnicodeSpacesAlone() {
        // A no-break space is data, not HTTP or .env whitespace.
        #expect("\u{A0}x\u{A0}".trimmingWhitespace == "\u{A0}x\u{A0}")
    }

    @Test func worksOnSubstrings() {
        let line = "Name:  value  "
        let value = line[line.index(after: line.firstIndex(of: ":")!)...]
        #expect(value.trimmingWhitespace == "value")
    }
}
