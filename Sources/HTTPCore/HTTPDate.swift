import Glibc

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the date format HTTP uses in Date,
/// Last-Modified and If-Modified-Since, formatted and parsed without Foundation.
public enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Formats seconds since the epoch.
    public static func format(_ seconds: Int) -> String {
        String(decoding: bytes(seconds), as: UTF8.self)
    }

    /// The same as `format`, as the 29 ASCII bytes.
    public static func bytes(_ seconds: Int) -> [UInt8] {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(29)
        out.append(contentsOf: days[Int(parts.tm_wday)].utf8)
        out.append(contentsOf: ", ".utf8)
        twoDigits(Int(parts.tm_mday), &out)
        out.append(0x20)
        out.append(contentsOf: months[Int(parts.tm_mon)].utf8)
        out.append(0x20)
        let year = Int(parts.tm_year) + 1900
        twoDigits(year / 100, &out)
        twoDigits(year % 100, &out)
        out.append(0x20)
        twoDigits(Int(parts.tm_hour), &out)
        out.append(ASCII.colon)
        twoDigits(Int(parts.tm_min), &out)
        out.append(ASCII.colon)
        twoDigits(Int(parts.tm_sec), &out)
        out.append(contentsOf: " GMT".utf8)
        return out
    }

    /// Parses an IMF-fixdate; other (obsolete) formats give nil, which callers treat as
    /// "no condition", the safe choice.
    public static func parse(_ string: String) -> Int? {
        let b = Array(string.utf8)
        guard b.count == 29, b[3] == ASCII.comma, b[4] == 0x20, b[7] == 0x20, b[11] == 0x20,
            b[16] == 0x20, b[19] == ASCII.colon, b[22] == ASCII.colon, b[25] == 0x20,
            b[26] == 0x47, b[27] == 0x4D, b[28] == 0x54
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var v = 0
            for i in range {
                guard ASCII.isDigit(b[i]) else { return nil }
                v = v * 10 + Int(b[i] - ASCII.zero)
            }
            return v
        }
        let monthName = String(decoding: b[8..<11], as: UTF8.self)
        guard let day = number(5..<7), let month = months.firstIndex(of: monthName),
            let year = number(12..<16), let hour = number(17..<19), let minute = number(20..<22),
            let second = number(23..<25), day >= 1, day <= 31, hour < 24, minute < 60, second <= 60
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Int(timegm(&parts))
    }

    private static func twoDigits(_ v: Int, _ out: inout [UInt8]) {
        out.append(ASCII.zero + UInt8(v / 10))
        out.append(ASCII.zero + UInt8(v % 10))
    }
}
