/// The `entra-web` executable: reads flags and configuration, then runs the app.
import App
import ArgumentParser
import Foundation
import Logging

struct EntraWeb: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entra-web",
        abstract: "A web app that signs people in with Microsoft Entra ID (OpenID Connect)."
    )

    @Flag(name: .customLong("dev-idp"), help: "Also serve the embedded development identity provider (loopback only).")
    var devIdentityProvider = false

    @Option(name: .customLong("env-file"), help: "The .env file to read; the environment wins over it.")
    var envFile = ".env"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info"

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "entra-web")

        let server: AppServer
        do {
            var configuration = try AppConfiguration.load(dotEnv: DotEnv.load(path: envFile))
            if devIdentityProvider { configuration.devIdentityProvider = true }
            server = try AppServer(configuration: configuration, logger: logger)
            try server.run()
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("Configuration error: \(error)\n".utf8))
            throw ExitCode(2)
        } catch {
            FileHandle.standardError.write(Data("Cannot start: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

EntraWeb.main()
