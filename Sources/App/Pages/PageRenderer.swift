import FoundationEssentials
import HTTPServer
import Mustache

/// Renders the Mustache templates in `Templates/` (loaded once at start-up) into HTML
/// responses that carry the security headers every page needs. Every `{{value}}` is escaped
/// by `HTMLText` (a content-type pragma put in front of each template), not by Mustache's
/// own escaping, which misses a quote followed by a combining mark.
public struct PageRenderer: Sendable {
    private let library: MustacheLibrary
    /// Shown in the layout on every page when the development provider is on.
    private let devIdentityProvider: Bool
    /// Whether pages name Microsoft Entra ID and Graph, or speak of a generic OpenID provider.
    private let microsoftGraph: Bool

    /// Loads every `*.mustache` file in `directory`. A template that does not parse stops
    /// start-up rather than failing on the first visitor.
    public init(directory: String, devIdentityProvider: Bool = false, microsoftGraph: Bool = true) throws(ConfigurationError) {
        HTMLText.registerWithMustache()
        var library = MustacheLibrary()
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".mustache") }
        } catch {
            throw ConfigurationError(key: "TEMPLATES_DIR", reason: "cannot read templates from \(directory)")
        }
        for name in names.sorted() {
            let path = URL(filePath: directory, directoryHint: .isDirectory).appending(path: name).path(percentEncoded: false)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(key: "TEMPLATES_DIR", reason: "cannot read \(path)")
            }
            do {
                try library.register(Self.escapingPragma + String(decoding: data, as: UTF8.self),
                                     named: String(name.dropLast(".mustache".count)))
            } catch {
                throw ConfigurationError(key: "TEMPLATES_DIR", reason: "\(path) is not a valid template: \(error)")
            }
        }
        self.library = library
        self.devIdentityProvider = devIdentityProvider
        self.microsoftGraph = microsoftGraph
    }

    /// What makes Mustache escape a template's values with `HTMLText`.
    private static let escapingPragma = "{{%CONTENT_TYPE:\(HTMLText.contentTypeName)}}"

    /// Renders `template` with `context`. Values are HTML-escaped by `{{ }}` (`HTMLText`).
    /// `private` pages (anything that shows user data) are marked `no-store`.
    public func render(
        _ template: String, _ context: [String: Any] = [:], status: HTTPStatus = .ok, private isPrivate: Bool = false
    ) -> HTTPResponse {
        guard let html = html(template, context) else {
            // Only reachable through a programming error (a page naming a template that does
            // not exist); the start-up self-check in WebApp catches it before serving.
            return HTTPResponse.text("Internal Server Error: template \(template) is missing", status: .internalServerError)
        }
        return response(body: Array(html.utf8), status: status, private: isPrivate)
    }

    /// The HTML of `template` with `context` and the settings every page knows; nil when
    /// there is no such template.
    func html(_ template: String, _ context: [String: Any]) -> String? {
        var context = context
        context["devIdentityProvider"] = devIdentityProvider
        context["microsoftGraph"] = microsoftGraph
        return library.render(context, withTemplate: template)
    }

    /// An HTML response of `body` with the security headers (`SecurityHeaders`).
    func response(body: [UInt8], status: HTTPStatus, private isPrivate: Bool) -> HTTPResponse {
        HTTPResponse(status: status, headers: isPrivate ? SecurityHeaders.privatePage : SecurityHeaders.page, body: body)
    }

    /// True when a template of that name was loaded.
    public func has(_ template: String) -> Bool {
        library.getTemplate(named: template) != nil
    }
}
