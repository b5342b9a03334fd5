/// Trimming of surrounding whitespace, for configuration lines and header fields, without
/// pulling Foundation's CharacterSet into every layer.
extension StringProtocol {
    /// The text without leading and trailing spaces, tabs, CRs and LFs.
    public var trimmingWhitespace: Substring {
        var s = Substring(self)
        while let first = s.first, Self.isWhitespace(first) { s.removeFirst() }
        while let last = s.last, Self.isWhitespace(last) { s.removeLast() }
        return s
    }

    private static func isWhitespace(_ c: Character) -> Bool {
        c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\r\n"
    }
}
