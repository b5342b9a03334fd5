@testable import App
import Encodings
import Foundation
import HTTPServer
import Testing

/// Which requests are a script's or API client's rather than a browser's navigation.
@Suite struct APICallerTests {
    func request(_ headers: HTTPHeaders) -> HTTPRequest {
        HTTPRequest(method: .GET, path: "/graph", headers: headers)
    }

    @Test func fetchMetadataDecides() {
        #expect(APICaller.isAPICall(request(["Sec-Fetch-Mode": "cors"])))
        #expect(APICaller.isAPICall(request(["Sec-Fetch-Mode": "same-origin"])))
        #expect(APICaller.isAPICall(request(["Sec-Fetch-Mode": "no-cors"])))
        #expect(!APICaller.isAPICall(request(["Sec-Fetch-Mode": "navigate", "Accept": "text/html,*/*;q=0.8"])))
        #expect(!APICaller.isAPICall(request(["Sec-Fetch-Mode": "Navigate"])))
    }

    @Test func scriptLibrariesAndJSONClientsAreAPICallers() {
        #expect(APICaller.isAPICall(request(["X-Requested-With": "XMLHttpRequest"])))
        #expect(APICaller.isAPICall(request(["Accept": "application/json"])))
        #expect(APICaller.isAPICall(request(["Accept": "application/json, text/plain, */*"])), "axios")
        #expect(!APICaller.isAPICall(request([:])), "curl without options")
        #expect(!APICaller.isAPICall(request(["Accept": "*/*"])))
    }

    @Test func acceptQualitiesAreWeighed() {
        // Chromium's and Firefox's navigation Accept headers.
        #expect(!APICaller.prefersJSON(accept: "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"))
        #expect(!APICaller.prefersJSON(accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"))
        #expect(APICaller.prefersJSON(accept: "text/html;q=0.5, application/json"))
        #expect(!APICaller.prefersJSON(accept: "application/json;q=0.5, text/html"))
        #expect(APICaller.prefersJSON(accept: "application/*, text/html;q=0.1"))
        #expect(!APICaller.prefersJSON(accept: "application/json;q=0, */*"), "q=0 means not acceptable")
        #expect(APICaller.prefersJSON(accept: "APPLICATION/JSON"))
        #expect(!APICaller.prefersJSON(accept: "application/jsonx, text/html"))
        #expect(!APICaller.prefersJSON(accept: ";;,/,application, q=1"), "garbage is no preference")
        #expect(APICaller.quality(of: ("application", "json"), in: "application/json;q=0.25") == 0.25)
        #expect(APICaller.quality(of: ("application", "json"), in: "application/json;q=7") == 1)
    }
}
