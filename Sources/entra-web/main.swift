import App
import ArgumentParser
import Glibc
import LogOutput
import Logging

/// The `entra-web` executable: reads flags and configuration, then runs the app.
struct EntraWeb: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entra-web",
        abstract: "A web app that signs people in with Microsoft Entra ID (OpenID Connect)."
    )

    @Flag(name: .customLong("dev-idp"), help: "Also serve the embedded development identity provider (loopback only).")
    var devIdentityProvider = false

    /// `make run`'s fallback to the development provider (`DevProviderFallback`).
    @Flag(name: .customLong("dev-idp-fallback"),
          help: "Without CLIENT_ID, serve the development identity provider, unless REDIRECT_URI, TRUSTED_PROXIES or HOST look like production (then stop). What `make run` uses.")
    var devIdentityProviderFallback = false

    /// Check and exit, without listening.
    @Flag(name: .customLong("check-config"), help: "Check the configuration, say which identity provider would be used, and exit without listening.")
    var checkConfiguration = false

    @Option(name: .customLong("env-file"), help: "The .env file to read; the environment wins over it.")
    var envFile = ".env"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default: LOG_LEVEL, else info).")
    var logLevel: Logger.Level?

    func run() throws {
        MallocArenas.limit()
        // Lines are written by a thread of their own, so a stalled log reader never stalls
        // requests; whatever is queued is written out before the process exits.
        let logOutput = try LogOutput()
        defer { logOutput.flush(timeout: 2) }

        let server: AppServer
        do {
            var configuration = try AppConfiguration.load(dotEnv: DotEnv.load(path: envFile))
            if devIdentityProvider { configuration.devIdentityProvider = true }
            let level = logLevel ?? configuration.logLevel
            LoggingSystem.bootstrap { label in logOutput.logHandler(label: label, level: level) }
            let logger = Logger(label: "entra-web")
            if devIdentityProviderFallback {
                switch DevProviderFallback.decide(configuration) {
                case .asConfigured: break
                case .startDevProvider:
                    logger.notice("No CLIENT_ID configured: starting with the embedded development identity provider (demo users only)")
                    configuration.devIdentityProvider = true
                case .refuse(let error): throw error
                }
            }
            server = try AppServer(configuration: configuration, logger: logger)
            if checkConfiguration {
                logOutput.flush(timeout: 2)
                printLine("Configuration OK: \(server.app.identityDescription)", to: STDOUT_FILENO)
                return
            }
            try server.run()
        } catch let error as ConfigurationError {
            logOutput.flush(timeout: 2)
            printLine("Configuration error: \(error)")
            throw ExitCode(2)
        } catch {
            logOutput.flush(timeout: 2)
            printLine("Cannot start: \(error)")
            throw ExitCode(1)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Writes one line to standard error (where start-up failures belong) or another descriptor.
private func printLine(_ line: String, to descriptor: Int32 = STDERR_FILENO) {
    let bytes = Array("\(line)\n".utf8)
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
}

EntraWeb.main()
