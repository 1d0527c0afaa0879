import ArgumentParser
import BangfuCLIKit
import BangfuConfig
import BangfuCore
import BangfuPlugins
import BangfuStore
import BangfuWorkflow
import Foundation

/// `bangfu-db`: works directly on a bangfu database file (demo, sample data, verification, statements).
@main
struct BangfuDB: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bangfu-db",
        abstract: "直接操作 bangfu 数据库文件：演示、样例数据、校验、帐务公开 / Work directly on a bangfu database file.",
        subcommands: [
            Demo.self, Seed.self, Verify.self, Statement.self, Figures.self, Pay.self, Plugins.self, Migrate.self,
            AdoptConfig.self,
        ]
    )
}

/// Options every subcommand that opens a store shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "状态目录，数据库为其中的 bangfu.sqlite / State directory holding bangfu.sqlite.")
    var stateDir: String = ProcessInfo.processInfo.environment["STATE_DIRECTORY"] ?? "/var/lib/bangfu"

    @Option(name: .long, help: "配置文件（YAML）；不给则用内置默认值 / Configuration file; built-in defaults without it.")
    var config: String?

    @Flag(name: .long, help: "输出 JSON / Print JSON for scripts.")
    var json = false

    @Option(name: .long, help: "帮扶项目插件目录；默认取配置 plugin_dir，否则本程序所在目录 / Help-type plugin directory.")
    var pluginDir: String?

    var databasePath: String { URL(fileURLWithPath: stateDir).appendingPathComponent("bangfu.sqlite").path }

    /// Loads the help-type plugins: --plugin-dir, else the configuration's plugin_dir, else beside this program
    /// (where `swift build` puts them).
    func loadPlugins(_ cfg: BangfuConfiguration, clock: @escaping @Sendable () -> Date = { Date() }) -> PluginRegistry {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().path
        return PluginLoader.load(
            directory: pluginDir ?? cfg.pluginDirectory ?? beside, settings: cfg.helpTypeSettings, clock: clock)
    }

    func loadConfiguration() throws -> BangfuConfiguration {
        try config.map { try BangfuConfiguration.load(path: $0) } ?? BangfuConfiguration()
    }

    /// Opens the store and registers the configured units. Only `create` makes a new state directory and file:
    /// a mistyped --state-dir must not look like an empty store.
    func openStore(_ cfg: BangfuConfiguration, at now: Date, create: Bool = false) async throws -> SQLiteStore {
        if !create && !FileManager.default.fileExists(atPath: databasePath) {
            throw BangfuError(
                .notFound, zh: "数据库 \(databasePath) 不存在：请检查 --state-dir",
                en: "database \(databasePath) does not exist: check --state-dir")
        }
        do {
            try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        } catch {
            throw BangfuError(
                .storage, zh: "无法创建状态目录 \(stateDir)：\(error.localizedDescription)",
                en: "cannot create state directory \(stateDir): \(error.localizedDescription)")
        }
        let store = try SQLiteStore(path: databasePath, policy: cfg.policy, synchronousFull: cfg.synchronousFull)
        if !cfg.units.isEmpty { try await store.syncUnits(cfg.units, at: now) }
        return store
    }

    /// The person refs bangfud makes with this state directory's secret (created when missing), the
    /// store's forms keyed with it.
    func personRefs(_ store: SQLiteStore, at now: Date) async throws -> PersonRefs {
        let refs = PersonRefs(secret: try StateSecret.load("ref-key", stateDir: stateDir).bytes)
        try await store.keyRefs(Workflow.keying(refs), at: now)
        return refs
    }
}

/// A period of business dates, inclusive.
struct PeriodOptions: ParsableArguments {
    @Option(name: .long, help: "起始日期 YYYY-MM-DD / First business date.")
    var from: String

    @Option(name: .long, help: "结束日期 YYYY-MM-DD / Last business date.")
    var to: String

    func dates() throws -> (LocalDate, LocalDate) { (try LocalDate(parsing: from), try LocalDate(parsing: to)) }
}

/// Prints a typed error once, in the user's language, and exits non-zero.
func fail(_ error: Error) -> Never {
    let lang = Language.fromEnvironment
    if let e = error as? BangfuError {
        FileHandle.standardError.write(Data("bangfu-db: \(e.message(lang)) [\(e.code)]\n".utf8))
    } else {
        FileHandle.standardError.write(Data("bangfu-db: \(error)\n".utf8))
    }
    exit(1)
}

func printJSON<T: Encodable>(_ value: T) {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    enc.dateEncodingStrategy = .iso8601
    print(String(decoding: try! enc.encode(value), as: UTF8.self))
}
