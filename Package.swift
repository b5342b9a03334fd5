// swift-tools-version:6.0
// Entra Web: a Swift web app that signs people in with Microsoft Entra ID (OpenID Connect).
//
// Tools version 6.0: the lowest whose targets build in the Swift 6 language mode by default
// (the code relies on its strict concurrency checking); `package` access needs only 5.9, and
// nothing here uses what came later (traits in 6.1, default isolation in 6.2). The toolchain
// must still read swift-log 1.16.2's own 6.2 manifest: Swift 6.2 or later builds this package.
//
// No `platforms`: the server runs on Linux only (epoll and eventfd through CLinux, Glibc
// everywhere), and SwiftPM reads that list only for Apple platforms. A macOS port would need
// kqueue first, and then macOS 15 for the Synchronization module's Mutex and Atomic.
import PackageDescription

let package = Package(
    name: "entra-web",
    products: [
        .executable(name: "entra-web", targets: ["entra-web"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // epoll, eventfd and the GNU extensions Swift's Glibc module leaves out (libc itself).
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        // C libraries from Debian (libssl-dev, libcurl4-openssl-dev).
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibSSL",
            pkgConfig: "libssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // Wire formats shared by every layer: JSON values, form/percent encoding, base64url.
        .target(name: "Encodings"),

        // Random bytes, hashes, HMAC, PKCE and constant-time comparison on top of OpenSSL.
        .target(name: "CryptoSupport", dependencies: ["COpenSSL", "Encodings"]),

        // JOSE and X.509 on top of OpenSSL: RSA keys, JWK, JWT (RS256), certificates.
        .target(name: "JOSE", dependencies: ["COpenSSL", "CryptoSupport", "Encodings"]),

        // Plain pthreads, a mutex with a condition variable, monotonic time: what the event loops,
        // the worker pool and the log writer are built on.
        .target(name: "ThreadSupport", dependencies: ["CLinux"]),

        // HTTP/1.1 as values: requests, responses, headers, methods, statuses, dates, the
        // request parser and the response serializer. No sockets: the fuzzer and the client use it.
        .target(name: "HTTPCore", dependencies: ["Encodings"]),

        // The HTTP/1.1 server: sockets, event loop, routing, static files (re-exports HTTPCore).
        .target(
            name: "HTTPServer",
            dependencies: ["CLinux", "ThreadSupport", "HTTPCore", "Encodings", .product(name: "Logging", package: "swift-log")]
        ),

        // Outbound HTTP over libcurl (token endpoint, JWKS, Microsoft Graph).
        .target(name: "HTTPClient", dependencies: ["CCurl", "HTTPCore", "Encodings", "ThreadSupport"]),

        // Log lines written by a thread of their own, so a stalled log reader never stalls a request.
        .target(name: "LogOutput", dependencies: ["ThreadSupport", .product(name: "Logging", package: "swift-log")]),

        // The OpenID Connect client: discovery, PKCE, code exchange, ID token validation, token cache.
        .target(
            name: "OIDC",
            dependencies: [
                "Encodings", "CryptoSupport", "JOSE", "HTTPClient", "HTTPCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The development identity provider: an Entra-like OpenID provider served under
        // /_dev/idp/ for trying and testing sign-in without a tenant. Knows neither OIDC nor App.
        .target(
            name: "DevIdentityProvider",
            dependencies: [
                "HTTPServer", "Encodings", "CryptoSupport", "JOSE",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // A small blocking Redis client (RESP2 over POSIX sockets, TLS through libssl, a pool).
        .target(name: "RedisClient", dependencies: ["CLibSSL", "CryptoSupport", "Encodings", "ThreadSupport"]),

        // The server-side, file-backed session store.
        .target(
            name: "SessionStore",
            dependencies: ["Encodings", "CryptoSupport", .product(name: "Logging", package: "swift-log")]
        ),

        // The session store for several instances: the same sealed records, in Redis.
        .target(
            name: "RedisSessionStore",
            dependencies: [
                "SessionStore", "RedisClient", "CryptoSupport", "Encodings", .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The web app: configuration, routes and pages.
        .target(
            name: "App",
            dependencies: [
                "HTTPServer", "HTTPClient", "OIDC", "DevIdentityProvider", "SessionStore", "RedisSessionStore", "RedisClient",
                "Encodings", "CryptoSupport", "JOSE", "ThreadSupport",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The thin executable.
        .executableTarget(
            name: "entra-web",
            dependencies: [
                "App",
                "CLinux",
                "LogOutput",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Benchmarks (run by scripts under bench/, never by the tests).
        .executableTarget(
            name: "session-bench",
            dependencies: ["SessionStore", "Encodings", "CryptoSupport", .product(name: "Logging", package: "swift-log")],
            path: "bench/SessionBench"
        ),
        .executableTarget(
            name: "rss-floor",
            dependencies: ["CCurl", "COpenSSL", .product(name: "Mustache", package: "swift-mustache")],
            path: "bench/RSSFloor"
        ),

        // What the fuzz targets share: libFuzzer's entry points, input chunkings, invariant
        // reports, replay of saved inputs. Extern: to declare libFuzzer's LLVMFuzzerRunDriver.
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport", swiftSettings: [.enableExperimentalFeature("Extern")]),

        // libFuzzer target for the request parser (bench/fuzz.sh); a plain build is a replay tool.
        .executableTarget(name: "http-parser-fuzz", dependencies: ["HTTPCore", "FuzzSupport"], path: "Fuzz/HTTPParserFuzz"),

        // libFuzzer target for the Redis reply parser (bench/fuzz.sh); a plain build replays files.
        .executableTarget(name: "resp-parser-fuzz", dependencies: ["RedisClient", "FuzzSupport"], path: "Fuzz/RESPParserFuzz"),

        // libFuzzer target for the outbound response parser (bench/fuzz.sh); a plain build replays files.
        .executableTarget(name: "response-parser-fuzz", dependencies: ["HTTPClient", "HTTPCore", "FuzzSupport"], path: "Fuzz/ResponseParserFuzz"),

        // What several test targets share: log capture (on swift-log's InMemoryLogging), a
        // clock moved by hand, real threads at once.
        .target(
            name: "TestSupport",
            dependencies: [
                .product(name: "Logging", package: "swift-log"), .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            path: "Tests/TestSupport"
        ),

        // The server without sockets, for tests: a responder driven as the event loop drives
        // it (parser, head admission, handler, serializer), and an in-process network, an
        // HTTPTransport that takes clients' requests to such servers by URL.
        .target(
            name: "HTTPServerTesting",
            dependencies: ["HTTPServer", "HTTPClient", "ThreadSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/HTTPServerTesting"
        ),

        // Starts real redis-server processes (plain, TLS with a throw-away CA, append-only)
        // and fake servers, for every test target that needs Redis.
        .target(name: "RedisTestSupport", dependencies: ["RedisClient"], path: "Tests/RedisTestSupport"),

        .testTarget(name: "EncodingsTests", dependencies: ["Encodings"]),
        .testTarget(name: "CryptoSupportTests", dependencies: ["CryptoSupport", "Encodings"]),
        .testTarget(name: "DevIdentityProviderTests", dependencies: ["DevIdentityProvider", "HTTPServer", "Encodings"]),
        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore"]),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: ["HTTPServer", "HTTPCore", "ThreadSupport", "Encodings", "TestSupport", "HTTPServerTesting"]
        ),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "HTTPCore"]),
        .testTarget(name: "LogOutputTests", dependencies: ["LogOutput", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "OIDCTests",
            dependencies: ["OIDC", "JOSE", "HTTPClient", "HTTPCore", "Encodings", "CryptoSupport", "TestSupport", "RedisTestSupport",
                           .product(name: "Logging", package: "swift-log")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "SessionStoreTests",
            dependencies: [
                "SessionStore", "RedisSessionStore", "RedisClient", "RedisTestSupport", "Encodings", "CryptoSupport", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RedisSessionStoreTests",
            dependencies: [
                "RedisSessionStore", "SessionStore", "RedisClient", "RedisTestSupport", "CryptoSupport", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "RedisClientTests", dependencies: ["RedisClient", "RedisTestSupport", "CryptoSupport", "TestSupport"]),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App", "DevIdentityProvider", "JOSE", "CryptoSupport", "HTTPServer", "HTTPCore", "Encodings", "OIDC", "SessionStore",
                "HTTPClient", "TestSupport", "HTTPServerTesting", "RedisSessionStore", "RedisClient", "RedisTestSupport",
            ]
        ),
    ]
)
