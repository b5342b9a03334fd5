import Encodings
import FoundationEssentials

/// A page whose shape is fixed (the signed-in home page, the Graph page): Mustache renders
/// it once, at start-up, with a marker where each per-request value goes, and a request only
/// escapes its values into the gaps. The layout, the banner and the rest of the markup cost
/// nothing per request, and Mustache's lookups and escaping (most of a page's CPU) happen once.
///
/// The output is byte for byte what Mustache renders for the same values (tests compare
/// them): the values are HTML-escaped exactly as `{{ }}` escapes them (`HTMLText`). One
/// section may repeat (the rows of a table): it is found by rendering with one and with two
/// rows of markers, and checked against a rendering with none. Whatever does not fit this
/// model (a marker that does not come out as it went in, rows that are not all alike, an
/// empty value a section might test) makes the page decline, and the caller renders with
/// Mustache as before.
struct PrerenderedPage: Sendable {
    /// Static bytes and the values between them, in order.
    private struct Segment: Sendable {
        /// `pieces[i]`, then the value of `slots[i]`, ..., then the last piece.
        let pieces: [[UInt8]]
        /// Which value fills each gap: an index into the page's (or the row's) values.
        let slots: [Int]
    }

    /// Everything before the repeated rows (the whole page when nothing repeats).
    private let head: Segment
    /// One row, when a section repeats.
    private let row: Segment?
    /// Everything after the rows.
    private let tail: Segment?
    /// The page as rendered without rows matches `head` then `tail`.
    private let rowsMayBeEmpty: Bool
    /// The names of the page's values, in the order `body` takes them.
    let slotNames: [String]
    /// The names of each row's values.
    let rowSlotNames: [String]

    /// Prerenders `template`. `context` builds the page's context from a marker per value
    /// name; when `rows` is given, the context's array at `rows.key` is replaced by rows of
    /// markers for `rows.slots`. Nil when the page does not fit (see above).
    init?(pages: PageRenderer, template: String, slots: [String], rows: (key: String, slots: [String])? = nil,
          context: (_ marker: (String) -> String) -> [String: Any]) {
        let names = slots + (rows?.slots ?? [])
        let marker = { (name: String) in Self.marker(slots.firstIndex(of: name) ?? -1) }
        let base = context(marker)
        slotNames = slots
        rowSlotNames = rows?.slots ?? []
        guard let rows else {
            guard let html = pages.html(template, base), let whole = Self.segment(Array(html.utf8), allowed: 0..<slots.count)
            else { return nil }
            (head, row, tail, rowsMayBeEmpty) = (whole, nil, nil, false)
            return
        }
        // Row values are numbered after the page's (a row may name a value as the page does).
        let markerRow = Dictionary(uniqueKeysWithValues: rows.slots.enumerated().map { ($1, Self.marker(slots.count + $0)) })
        func render(_ count: Int) -> [UInt8]? {
            var context = base
            context[rows.key] = Array(repeating: markerRow, count: count)
            return pages.html(template, context).map { Array($0.utf8) }
        }
        guard let none = render(0), let one = render(1), let two = render(2),
              let (before, repeated, after) = Self.split(one: one, two: two),
              let head = Self.segment(before, allowed: 0..<slots.count),
              let row = Self.segment(repeated, allowed: 0..<names.count),
              let tail = Self.segment(after, allowed: 0..<slots.count)
        else { return nil }
        self.head = head
        self.tail = tail
        // Row values are numbered after the page's: renumber them from 0 for `body`.
        self.row = Segment(pieces: row.pieces, slots: row.slots.map { $0 >= slots.count ? -1 - ($0 - slots.count) : $0 })
        rowsMayBeEmpty = none == before + after
    }

    /// The page's HTML for `values` (in `slotNames` order) and `rows` (each in
    /// `rowSlotNames` order); nil when Mustache must render it instead (an empty value, or no
    /// rows where the template shows something else for none).
    func body(_ values: [String], rows: [[String]] = []) -> [UInt8]? {
        guard values.count == slotNames.count, !values.contains(where: \.isEmpty) else { return nil }
        if row != nil, rows.isEmpty, !rowsMayBeEmpty { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(head.pieces.reduce(0) { $0 + $1.count } + 256 * (rows.count + 1))
        Self.fill(head, values: values, row: [], into: &output)
        if let row, let tail {
            for rowValues in rows {
                guard rowValues.count == rowSlotNames.count, !rowValues.contains(where: \.isEmpty) else { return nil }
                Self.fill(row, values: values, row: rowValues, into: &output)
            }
            Self.fill(tail, values: values, row: [], into: &output)
        }
        return output
    }

    /// Appends `segment` with its gaps filled: page values by index, row values (negative
    /// slots, -1 for the first) from `row`.
    private static func fill(_ segment: Segment, values: [String], row: [String], into output: inout [UInt8]) {
        for (index, slot) in segment.slots.enumerated() {
            output += segment.pieces[index]
            HTMLText.escape(slot >= 0 ? values[slot] : row[-1 - slot], into: &output)
        }
        output += segment.pieces[segment.slots.count]
    }

    // MARK: - Markers

    /// What stands in for value `index`: two private-use characters around its number, which
    /// Mustache passes through unescaped and no page contains.
    static func marker(_ index: Int) -> String {
        "\u{E000}\(index)\u{E001}"
    }

    /// UTF-8 of the opening marker character, U+E000.
    private static let open: [UInt8] = [0xEE, 0x80, 0x80]
    /// UTF-8 of the closing marker character, U+E001.
    private static let close: [UInt8] = [0xEE, 0x80, 0x81]

    /// `html` cut at its markers, each naming a value in `allowed`; nil when a marker is
    /// malformed or names another value.
    private static func segment(_ html: [UInt8], allowed: Range<Int>) -> Segment? {
        var pieces: [[UInt8]] = []
        var slots: [Int] = []
        var start = 0
        var index = 0
        while index + open.count <= html.count {
            guard html[index] == open[0], html[index..<index + open.count].elementsEqual(open) else {
                index += 1
                continue
            }
            var end = index + open.count
            var number = 0
            var digits = 0
            while end < html.count, html[end] >= UInt8(ascii: "0"), html[end] <= UInt8(ascii: "9"), digits < 4 {
                let digit = Int(html[end] - UInt8(ascii: "0"))
                number = number * 10 + digit
                end += 1
                digits += 1
            }
            guard digits > 0, end + close.count <= html.count, html[end..<end + close.count].elementsEqual(close),
                  allowed.contains(number)
            else { return nil }
            pieces.append(Array(html[start..<index]))
            slots.append(number)
            index = end + close.count
            start = index
        }
        pieces.append(Array(html[start...]))
        // A closing marker character anywhere else means the template holds one itself.
        guard !pieces.contains(where: { Self.contains($0, close) || Self.contains($0, open) }) else { return nil }
        return Segment(pieces: pieces, slots: slots)
    }

    /// `one` (page with one row) and `two` (two rows) as before, row and after: the longest
    /// prefix they share, less one row's length, starts the row, and the split is accepted
    /// only if it explains both renderings exactly.
    private static func split(one: [UInt8], two: [UInt8]) -> ([UInt8], [UInt8], [UInt8])? {
        let rowLength = two.count - one.count
        guard rowLength > 0 else { return nil }
        var shared = 0
        while shared < one.count, one[shared] == two[shared] { shared += 1 }
        let start = shared - rowLength
        guard start >= 0 else { return nil }
        let before = Array(one[..<start])
        let row = Array(one[start..<start + rowLength])
        let after = Array(one[(start + rowLength)...])
        guard before + row + row + after == two else { return nil }
        return (before, row, after)
    }

    /// Whether `pattern` occurs in `bytes`.
    private static func contains(_ bytes: [UInt8], _ pattern: [UInt8]) -> Bool {
        guard bytes.count >= pattern.count else { return false }
        return (0...(bytes.count - pattern.count)).contains { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }
    }
}
