// swift-tools-version:6.1
// bangfu: hardship-assistance workflow daemon for trade unions and party branches.
import PackageDescription

let package = Package(
    name: "bangfu",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "BangfuCore", targets: ["BangfuCore"]),
        .library(name: "BangfuStore", targets: ["BangfuStore"]),
        .executable(name: "bangfu-db", targets: ["bangfu-db"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Domain types, the case state machine, rules and calendars. No I/O.
        .target(name: "BangfuCore"),
        // Configuration file parsing (YAML) into core values.
        .target(
            name: "BangfuConfig",
            dependencies: ["BangfuCore", .product(name: "Yams", package: "Yams")]
        ),
        // SQLite persistence, the ledger and the audit hash chain.
        .target(
            name: "BangfuStore",
            dependencies: [
                "BangfuCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Terminal presentation shared by the command-line tools: CJK-aware tables, language.
        .target(name: "BangfuCLIKit", dependencies: ["BangfuCore"]),
        // Offline tool on a store file: demo, seed, verify, statements.
        .executableTarget(
            name: "bangfu-db",
            dependencies: [
                "BangfuCore", "BangfuConfig", "BangfuStore", "BangfuCLIKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "BangfuCoreTests", dependencies: ["BangfuCore", "BangfuConfig", "BangfuCLIKit"]),
        .testTarget(
            name: "BangfuStoreTests",
            dependencies: ["BangfuCore", "BangfuConfig", "BangfuStore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
