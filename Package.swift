// swift-tools-version:6.0
// Entra Web: a Swift web app that signs people in with Microsoft Entra ID (OpenID Connect).
import PackageDescription

let package = Package(
    name: "entra-web",
    platforms: [.macOS(.v15)],
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
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // Wire formats shared by every layer: JSON values, form/percent encoding, base64url.
        .target(name: "Encodings"),

        // Random bytes, hashes and constant-time comparison on top of OpenSSL.
        .target(name: "CryptoSupport", dependencies: ["COpenSSL", "Encodings"]),

        // The HTTP/1.1 server: sockets, event loop, parsing, responses, routing, static files.
        .target(
            name: "HTTPServer",
            dependencies: ["CLinux", "Encodings", .product(name: "Logging", package: "swift-log")]
        ),

        // Outbound HTTP over libcurl (token endpoint, JWKS, Microsoft Graph).
        .target(name: "HTTPClient", dependencies: ["CCurl", "Encodings"]),

        // The OpenID Connect client: discovery, PKCE, code exchange, ID token validation, token cache.
        .target(
            name: "OIDC",
            dependencies: [
                "Encodings", "CryptoSupport", "COpenSSL", "HTTPClient",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The server-side, file-backed session store.
        .target(
            name: "SessionStore",
            dependencies: ["Encodings", "CryptoSupport", .product(name: "Logging", package: "swift-log")]
        ),

        // The web app: configuration, routes and pages.
        .target(
            name: "App",
            dependencies: [
                "HTTPServer", "HTTPClient", "OIDC", "SessionStore", "Encodings", "CryptoSupport",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The thin executable.
        .executableTarget(
            name: "entra-web",
            dependencies: [
                "App",
                "HTTPServer",
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

        // libFuzzer target for the request parser (bench/fuzz.sh); a plain build is a replay tool.
        // Extern: to declare libFuzzer's LLVMFuzzerRunDriver (see FuzzEntry.swift).
        .executableTarget(
            name: "http-parser-fuzz",
            dependencies: ["HTTPServer"],
            path: "Fuzz/HTTPParserFuzz",
            swiftSettings: [.enableExperimentalFeature("Extern")]
        ),

        // What several test targets share (log capture).
        .target(
            name: "TestSupport",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),

        .testTarget(name: "EncodingsTests", dependencies: ["Encodings"]),
        .testTarget(name: "CryptoSupportTests", dependencies: ["CryptoSupport", "Encodings"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "Encodings", "TestSupport"]),
        .testTarget(
            name: "OIDCTests",
            dependencies: ["OIDC", "HTTPClient", "Encodings", "CryptoSupport", "TestSupport", .product(name: "Logging", package: "swift-log")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "SessionStoreTests",
            dependencies: ["SessionStore", "Encodings", "CryptoSupport", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "AppTests", dependencies: ["App", "HTTPServer", "Encodings", "OIDC", "SessionStore", "HTTPClient", "CryptoSupport", "TestSupport"]),
    ]
)
