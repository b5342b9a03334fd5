@testable import HTTPServer
import Testing

/// Static file paths without sockets: traversal tricks refused, dotfiles and empty segments
/// hidden, media types by extension.
@Suite struct SafePathTests {
    @Test func acceptsOrdinaryPaths() {
        #expect(SafePath.relativePath("css/site.css") == .success("css/site.css"))
        #expect(SafePath.relativePath("a%20b.txt") == .success("a b.txt"))
    }

    @Test func refusesTraversal() {
        for raw in ["..", "../x", "a/../../x", "%2e%2e/x", "%2E%2e/x", "a%2fb", "a%2Fb", "a\\b", "a%5cb", "a%00b", "%zz", "a%", "a\u{01}b", "./x"] {
            #expect(SafePath.relativePath(Substring(raw)) == .failure(.badRequest), "\(raw)")
        }
    }

    @Test func hidesDotfilesAndEmptySegments() {
        for raw in ["", ".env", "a/.git/config", "a//b", "a/"] {
            #expect(SafePath.relativePath(Substring(raw)) == .failure(.notFound), "\(raw)")
        }
    }

    @Test func mediaTypes() {
        #expect(MediaTypes.forPath("a/b.CSS") == "text/css; charset=utf-8")
        #expect(MediaTypes.forPath("x.woff2") == "font/woff2")
        #expect(MediaTypes.forPath("noext") == "application/octet-stream")
        #expect(MediaTypes.forPath("dir.d/noext") == "application/octet-stream")
    }
}
