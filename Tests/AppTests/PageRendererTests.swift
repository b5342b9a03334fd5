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

    @Test func privatePagesAreNotStored() throws {
        let pages = try PageRenderer(directory: TestApp.root.appendingPathComponent("Templates").path)
        #expect(pages.render("index", private: true).headers["Cache-Control"] == "no-store")
    }

    @Test func aMissingTemplateDirectoryNamesTheKey() {
        #expect(throws: ConfigurationError.self) { try PageRenderer(directory: "/nonexistent/templates") }
    }
}
