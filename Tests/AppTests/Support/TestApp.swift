import App
import Foundation
import HTTPServer
import HTTPServerTesting
import Logging

/// Builds the app in-process for tests, pointed at the repository's Templates/ and Public/.
enum TestApp {
    /// The package root, found from this file's path so tests do not depend on the
    /// working directory.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A SESSION_SECRET for instances that share a store (required there): 32 bytes in hex.
    static let sharedSecret = String(repeating: "5e", count: 32)

    static func configuration(_ environment: [String: String] = [:]) throws -> AppConfiguration {
        var configuration = try AppConfiguration.load(environment: environment)
        configuration.templatesDirectory = root.appendingPathComponent("Templates").path
        configuration.publicDirectory = root.appendingPathComponent("Public").path
        return configuration
    }

    static func make(_ environment: [String: String] = [:]) throws -> WebApp {
        try WebApp(configuration: configuration(environment), logger: Logger(label: "test"))
    }

    /// The start-up error of an app with `base` and then `settings`; nil when it starts.
    static func startupError(_ settings: [String: String], over base: [String: String] = [:]) -> ConfigurationError? {
        do {
            _ = try make(base.merging(settings) { _, new in new })
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }
}

extension WebApp {
    /// Sends `request` through the app's responder as the server's event loop would, with
    /// the app's server settings and no socket (`InProcessServer`), from 127.0.0.1.
    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        try InProcessServer(responder: responder, configuration: serverConfiguration).send(request)
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}
