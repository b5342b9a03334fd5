import App
import HTTPServer
import Testing

/// Templates rendered with their values escaped, private pages kept out of caches.
@Suite struct PageRendererTests {
    @Test func valuesAreHTMLEscaped() throws {
        let pages = try PageRenderer(directory: TestApp.root.appendingPathComponent("Templates").path)
        let response = pages.render("error", ["heading": "<script>alert(1)</script>", "message": "a \"quoted\" & 'single' <b>"])
        #expect(!response.text.contains("<script>alert(1)</script>"))
        #expect(response.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(response.text.contains("a &quot;quoted&quot; &amp; &#39;single&#39; &lt;b&gt;"))
    }

    /// A quote (or `<`, `&`) followed by a combining mark is one Swift `Character`, which
    /// Mustache's own escaping, going character by character, does not recognise: the quote
    /// would end an attribute. Our escaping works on the bytes.
    @Test func aQuoteFollowedByACombiningMarkIsEscapedToo() throws {
        let pages = try PageRenderer(directory: TestApp.root.appendingPathComponent("Templates").path)
        let mark = "\u{301}"
        let hostile = "/x\"" + mark + " autofocus onfocus=alert(1) x=\"" + mark
        let response = pages.render("error", ["heading": "<" + mark + "script>", "message": "&" + mark + "amp;",
                                              "retryURL": hostile, "retryLabel": "Go"])
        let brokenOut = "/x\"" + mark + " autofocus"
        let escapedAttribute = "href=\"/x&quot;" + mark + " autofocus onfocus=alert(1) x=&quot;" + mark + "\""
        let escapedText = ["&lt;" + mark + "script&gt;", "&amp;" + mark + "amp;"]
        #expect(!response.text.contains(brokenOut), "the attribute is not broken out of")
        #expect(response.text.contains(escapedAttribute))
        #expect(escapedText.allSatisfy(response.text.contains))
    }

    @Test func privatePagesAreNotStored() throws {
        let pages = try PageRenderer(directory: TestApp.root.appendingPathComponent("Templates").path)
        #expect(pages.render("index", private: true).headers["Cache-Control"] == "no-store")
    }

    @Test func aMissingTemplateDirectoryNamesTheKey() {
        #expect(throws: ConfigurationError.self) { try PageRenderer(directory: "/nonexistent/templates") }
    }
}
