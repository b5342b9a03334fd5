import FoundationEssentials

/// The host of a URL as it is written, for every place that checks, compares or connects to
/// one (authority, redirect URI, provider endpoints, outbound requests).
extension URLComponents {
    /// The host exactly as the URL spells it: punycode (`xn--`) and percent escapes kept,
    /// IPv6 literals in brackets.
    ///
    /// `host` and `percentEncodedHost` both run the host through IDNA decoding, which, once
    /// Foundation is linked (swift-mustache links it), is ICU: over a megabyte of its code and
    /// Unicode data paged into the process on first use, on every ASCII host too. The decoded
    /// form is also the wrong one to check or connect to: browsers, DNS and curl use the
    /// ASCII form, and a percent-decoded `127.0.0.%31` must not pass for loopback.
    public var literalHost: String? { encodedHost }
}
