// swift-tools-version:6.1
// bangfu: hardship-assistance workflow daemon for trade unions and party branches.
import Foundation
import PackageDescription

/// The built-in help types: each is a dynamic library `libbangfu-help-<id>.so` built from `plugins/<id>/`.
let helpTypes: [(id: String, target: String)] = [
    ("hardship-relief", "HardshipRelief"),
    ("medical-aid", "MedicalAid"),
    ("education-aid", "EducationAid"),
    ("micro-loan", "MicroLoan"),
    ("monthly-subsidy", "MonthlySubsidy"),
    ("holiday-condolence", "HolidayCondolence"),
    ("legal-aid", "LegalAid"),
    ("reemployment", "Reemployment"),
    ("housing-referral", "HousingReferral"),
]

/// lld, with relative relocations packed (DT_RELR, glibc 2.36): bangfud and the help types.
let lldPackedRelocations = ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"]

/// bangfud is linked by lld: relative relocations packed (DT_RELR, glibc 2.36; a MiB less to load), and
/// its code laid out by use (`link-order.txt`, written by `scripts/link-order.sh`): what starting runs,
/// then the request path, then unnamed private functions (`link-order.ld`), so an idle daemon keeps
/// 1.4 MiB of its code resident instead of 8.6 of 11 MiB (the kernel maps 64 KiB around each page of
/// code it faults in). Names the list no longer matches are skipped; `scripts/build-release.sh` gives
/// each function its own section, so the order holds function by function in the dependencies too.
let bangfudLinkerFlags =
    lldPackedRelocations + [
        "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/bangfud/link-order.txt",
        "-Xlinker", "--no-warn-symbol-ordering",
        "-Xlinker", "-T", "-Xlinker", "\(Context.packageDirectory)/Sources/bangfud/link-order.ld",
    ]

/// A help type is linked to export the ABI's entry point alone (`plugins/exports.map`), with its
/// relative relocations packed: 0.5 MiB less resident for the nine built-in ones.
let helpTypeLinkerFlags =
    lldPackedRelocations + ["-Xlinker", "--version-script=\(Context.packageDirectory)/plugins/exports.map"]

let package = Package(
    name: "bangfu",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "BangfuCore", targets: ["BangfuCore"]),
        .library(name: "BangfuStore", targets: ["BangfuStore"]),
        .executable(name: "bangfu-db", targets: ["bangfu-db"]),
        .executable(name: "bangfu-plugin-bench", targets: ["bangfu-plugin-bench"]),
        .executable(name: "bangfu-campaign-bench", targets: ["bangfu-campaign-bench"]),
        .executable(name: "bangfu-bench", targets: ["bangfu-bench"]),
        .executable(name: "bangfu-read-floor", targets: ["bangfu-read-floor"]),
        .executable(name: "bangfud", targets: ["bangfud"]),
        .executable(name: "bangfuctl", targets: ["bangfuctl"]),
        .executable(name: "bangfu-render", targets: ["bangfu-render"]),
    ] + helpTypes.map { .library(name: "bangfu-help-\($0.id)", type: .dynamic, targets: [$0.target]) },
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(path: "PluginKit"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Domain types, the case state machine, rules and calendars. No I/O.
        .target(name: "BangfuCore"),
        // Configuration file parsing (YAML) into core values.
        .target(
            name: "BangfuConfig",
            dependencies: [
                "BangfuCore", .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "BangfuPluginKit", package: "PluginKit"),
            ]
        ),
        // Every decision about cases and money, over a store's unit of work (no I/O of its own).
        .target(name: "BangfuDomain", dependencies: ["BangfuCore"]),
        // The store's SQL, written once for SQLite and PostgreSQL: every statement, no engine, no rules.
        .target(
            name: "BangfuSQL",
            dependencies: [
                "BangfuCore", "BangfuDomain", "BangfuJSON", .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // SQLite persistence: transactions, migrations, the audit chain's SQLite facts, backup and verify.
        .target(
            name: "BangfuStore",
            dependencies: [
                "BangfuCore", "BangfuDomain", "BangfuJSON", "BangfuSQL",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Loads help-type plugins through the C ABI and checks what they answer.
        .target(
            name: "BangfuPlugins",
            dependencies: [
                "BangfuCore", "BangfuJSON",
                .product(name: "BangfuPluginKit", package: "PluginKit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The workflow over a store and the help-type plugins: forms, assessment, approval, payment.
        .target(
            name: "BangfuWorkflow",
            dependencies: [
                "BangfuCore", "BangfuJSON", "BangfuPlugins",
                .product(name: "BangfuPluginKit", package: "PluginKit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // libsystemd, linked as a system library (Debian libsystemd-dev).
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // sd_notify, socket activation, watchdog and a journald log handler.
        .target(name: "BangfuSystemd", dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")]),
        // varlink messages, framing and dispatch: no dependencies, so it can be fuzzed on its own.
        // JSON text to and from values, and Codable over those values, without Foundation's coders.
        .target(name: "BangfuJSON"),
        .target(name: "BangfuVarlinkProtocol", dependencies: ["BangfuJSON"]),
        // varlink: the NIO server (peer credentials, limits) and a small blocking client.
        .target(
            name: "BangfuVarlink",
            dependencies: [
                "BangfuVarlinkProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Signed checkpoints of the audit head: made by bangfud, checked by bangfuctl and bangfu-db.
        .target(
            name: "BangfuEvidence",
            dependencies: ["BangfuCore", .product(name: "Crypto", package: "swift-crypto")]),
        // The wire generated from the IDL (scripts/gen-wire.py): shared by bangfud, bangfuctl, the load generator and the tests.
        .target(name: "BangfuWire", dependencies: ["BangfuVarlink"]),
        // The daemon: control interfaces, timers, watchdog, reload; bangfud's main only parses options.
        .target(
            name: "BangfuDaemon",
            dependencies: [
                "BangfuCore", "BangfuConfig", "BangfuDomain", "BangfuStore", "BangfuPlugins", "BangfuWorkflow",
                "BangfuVarlink", "BangfuEvidence", "BangfuSQL", "BangfuPostgres",
                "BangfuSystemd", "BangfuWire",
                .product(name: "BangfuPluginKit", package: "PluginKit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: [],
            resources: [
                .embedInCode("varlink/org.bangfu.Archive.varlink"),
                .embedInCode("varlink/org.bangfu.Cases.varlink"),
                .embedInCode("varlink/org.bangfu.Funds.varlink"),
                .embedInCode("varlink/org.bangfu.Notice.varlink"),
                .embedInCode("varlink/org.bangfu.Admin.varlink"),
                .embedInCode("varlink/org.bangfu.Campaigns.varlink"),
                .embedInCode("varlink/org.bangfu.Care.varlink"),
                .embedInCode("varlink/org.bangfu.Import.varlink"),
                .embedInCode("varlink/org.bangfu.Reports.varlink"),
                .embedInCode("varlink/org.bangfu.Work.varlink"),
            ]
        ),
        .executableTarget(
            name: "bangfud",
            dependencies: [
                "BangfuCore", "BangfuDaemon", "BangfuVarlink",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["link-order.txt", "link-order.ld"],
            linkerSettings: [.unsafeFlags(bangfudLinkerFlags)]
        ),
        .executableTarget(
            name: "bangfuctl",
            dependencies: [
                "BangfuCore", "BangfuCLIKit", "BangfuVarlink", "BangfuWire", "BangfuEvidence",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Terminal presentation shared by the command-line tools: CJK-aware tables, language.
        // Sheets (CSV in UTF-8 or GB18030, XLSX) for imports.
        .target(
            name: "BangfuCLIKit",
            dependencies: ["BangfuCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // libpq (Debian libpq-dev for its header, libpq5 at run time): PostgreSQL's own client
        // library, synchronous like the unit of work, loaded only when a PostgreSQL store is used.
        .target(name: "CLibPQ"),
        // PostgreSQL: sessions, typed errors, the schema, the audit chain, the store and the leader lock.
        .target(
            name: "BangfuPostgres",
            dependencies: [
                "BangfuCore", "BangfuDomain", "BangfuSQL", "CLibPQ", .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Pango on Cairo (Debian libpango1.0-dev, libcairo2-dev): CJK text set into PDF.
        .systemLibrary(
            name: "CPangoCairo", pkgConfig: "pangocairo", providers: [.apt(["libpango1.0-dev", "libcairo2-dev"])]),
        // libxlsxwriter (Debian libxlsxwriter-dev): spreadsheets Excel, WPS and LibreOffice open.
        .systemLibrary(name: "CXlsxWriter", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),
        // Documents as PDF (Pango/Cairo), HTML (print CSS, inline SVG charts) and XLSX.
        .target(name: "BangfuRender", dependencies: ["BangfuCLIKit", "CPangoCairo", "CXlsxWriter"]),
        // Renders documents bangfuctl builds; its own program so that bangfud links none of it.
        .executableTarget(
            name: "bangfu-render",
            dependencies: ["BangfuRender", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // A SQLite store copied into PostgreSQL, and the proof of the copy.
        .target(
            name: "BangfuStoreCopy",
            dependencies: [
                "BangfuCore", "BangfuPostgres", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Offline tool on a store file: demo, seed, verify, statements, the copy into PostgreSQL.
        .executableTarget(
            name: "bangfu-db",
            dependencies: [
                "BangfuCore", "BangfuConfig", "BangfuStore", "BangfuCLIKit", "BangfuPlugins", "BangfuWorkflow",
                "BangfuEvidence", "BangfuPostgres", "BangfuStoreCopy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Prints how fast help types assess households, batch against one by one.
        .executableTarget(
            name: "bangfu-plugin-bench",
            dependencies: [
                "BangfuPlugins", .product(name: "BangfuPluginKit", package: "PluginKit"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "BangfuDaemonTests",
            dependencies: ["BangfuVarlink", "BangfuLoad", "BangfuWire", "BangfuEvidence", "BangfuPostgres"]),
        .testTarget(
            name: "BangfuDaemonUnitTests",
            dependencies: [
                "BangfuDaemon", "BangfuCore", "BangfuConfig", "BangfuVarlink", "BangfuWire", "BangfuLoad",
                "BangfuPostgres",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Prints how long planning a campaign takes over many households, and the peak memory.
        .executableTarget(
            name: "bangfu-campaign-bench",
            dependencies: [
                "BangfuCore", "BangfuStore", "BangfuPlugins", "BangfuWorkflow",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Prints how fast a ledger imports through bangfud, against plain SQLite in the same run.
        .executableTarget(
            name: "bangfu-import-bench",
            dependencies: [
                "BangfuLoad", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Connects to the daemon's socket as another uid, one thread at a time, and drives reads from
        // C threads whose own cost is small (load generators only).
        .target(name: "CBenchSupport"),
        // The floor of a case read: the same reply from the same database over the same socket, in C.
        .executableTarget(name: "bangfu-read-floor", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The load generator shared by bangfu-bench and the durability tests: clients per role over the
        // real socket, a daemon with READY timing, a SQL seeder and the plain-SQLite comparators.
        .target(
            name: "BangfuLoad",
            dependencies: [
                "BangfuCore", "BangfuStore", "BangfuVarlink", "BangfuWire", "CBenchSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // End to end, reads, growth and start-up of the real bangfud, against SQLite's floor and ceiling
        // (or, on PostgreSQL, beside pgbench on the same server).
        .executableTarget(
            name: "bangfu-bench",
            dependencies: [
                "BangfuCore", "BangfuLoad", "BangfuVarlink", "BangfuWire", "BangfuPostgres",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "BangfuPluginTests",
            dependencies: ["BangfuCore", "BangfuPlugins", .product(name: "BangfuPluginKit", package: "PluginKit")]
        ),
        .testTarget(
            name: "BangfuCoreTests",
            dependencies: [
                "BangfuCore", "BangfuConfig", "BangfuCLIKit", "BangfuJSON", "BangfuVarlinkProtocol",
                .product(name: "BangfuPluginKit", package: "PluginKit"),
            ]
        ),
        .testTarget(
            name: "BangfuStoreTests",
            dependencies: [
                "BangfuCore", "BangfuConfig", "BangfuStore", "BangfuPlugins", "BangfuWorkflow", "BangfuEvidence",
                "BangfuLoad", "BangfuPostgres", "BangfuStoreCopy",
                .product(name: "BangfuPluginKit", package: "PluginKit"),
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ]
        + helpTypes.map {
            .target(
                name: $0.target, dependencies: [.product(name: "BangfuPluginKit", package: "PluginKit")],
                path: "plugins/\($0.id)", linkerSettings: [.unsafeFlags(helpTypeLinkerFlags)])
        },
    swiftLanguageModes: [.v6]
)

// The libFuzzer targets exist only for `scripts/fuzz.sh` (BANGFU_FUZZ=1 swift build --sanitize=fuzzer):
// libFuzzer supplies their main, so an ordinary build could not link them. One fuzzes varlink framing
// and dispatch alone; the other bangfud's real handlers on a throwaway store.
if ProcessInfo.processInfo.environment["BANGFU_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "bangfu-fuzz-varlink", dependencies: ["BangfuVarlinkProtocol"], path: "Tests/Fuzz/Varlink",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.targets.append(
        .executableTarget(
            name: "bangfu-fuzz-daemon",
            dependencies: [
                "BangfuDaemon", "BangfuConfig", "BangfuCore", "BangfuVarlink", "BangfuWire",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Fuzz/Daemon", swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.products.append(.executable(name: "bangfu-fuzz-varlink", targets: ["bangfu-fuzz-varlink"]))
    package.products.append(.executable(name: "bangfu-fuzz-daemon", targets: ["bangfu-fuzz-daemon"]))
}
