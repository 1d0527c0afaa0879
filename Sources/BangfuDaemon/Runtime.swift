import BangfuConfig
import BangfuCore
import BangfuEvidence
import BangfuWire
import BangfuPlugins
import BangfuPostgres
import BangfuSQL
import BangfuStore
import BangfuWorkflow
import Foundation
import Logging
import Synchronization

/// Everything a call needs, with the parts a reload replaces (configuration, plugins) behind a lock.
public final class Runtime: Sendable {
    public let store: any SQLStore
    /// Whether this instance runs the time-driven work: always on SQLite, on a shared PostgreSQL
    /// store only while it holds the leader's lock.
    let leadership: PostgresLeadership?
    public let clock: DaemonClock
    public let options: Options
    public let startedAt: Date
    let logger: Logger
    let security: SecurityLog
    /// Signs checkpoints of the audit head.
    let checkpointKey: CheckpointKey
    /// The last checkpoint written to the journal.
    let latestCheckpoint = Mutex<Checkpoint?>(nil)
    /// Keys the opaque person refs (see `PersonRefs`); where the secret came from, for `status`.
    let refs: PersonRefs
    let refKeySource: StateSecret.Source
    let current: Mutex<Snapshot>
    /// Fires passed notices; shared by the timer service and clock advances.
    // Set once in init, right after `current`: the scheduler reads the live settings through it.
    nonisolated(unsafe) private(set) var scheduler: Scheduler!
    let connectionCount = Mutex<(@Sendable () -> Int)?>(nil)
    /// Imports under way (`org.bangfu.Import`): the rows each caller has sent, until Finish.
    let imports = ImportSessions()

    /// Paths and switches fixed at start.
    public struct Options: Sendable {
        public var configPath: String?
        public var stateDir: String
        public var socketPath: String
        public var pluginDir: String?
        public var version: String
        /// Group that owns a socket bangfud binds itself (its members may connect).
        public var socketGroup: String?
        /// Households per campaign-planning transaction.
        public var planningBatch: Int = 200

        public init(
            configPath: String?, stateDir: String, socketPath: String, pluginDir: String?, version: String,
            socketGroup: String? = nil
        ) {
            self.configPath = configPath
            self.stateDir = stateDir
            self.socketPath = socketPath
            self.pluginDir = pluginDir
            self.version = version
            self.socketGroup = socketGroup
        }

        public var databasePath: String { URL(fileURLWithPath: stateDir).appendingPathComponent("bangfu.sqlite").path }
        /// --plugin-dir, else the configuration's plugin_dir, else the installed location.
        func pluginDirectory(_ c: BangfuConfiguration) -> String {
            pluginDir ?? c.pluginDirectory ?? "/usr/lib/bangfu/plugins"
        }
    }

    /// What a reload replaces together.
    struct Snapshot: Sendable {
        var config: BangfuConfiguration
        var plugins: PluginRegistry
        var workflow: Workflow
    }

    /// Opens the store (running migrations), registers the units and loads the plugins.
    public init(options: Options, config: BangfuConfiguration, clock: DaemonClock, logger: Logger) async throws {
        self.options = options
        self.clock = clock
        self.logger = logger
        self.security = SecurityLog(logger: Logger(label: "bangfu.security"))
        self.startedAt = Date()
        do {
            try FileManager.default.createDirectory(atPath: options.stateDir, withIntermediateDirectories: true)
        } catch {
            throw BangfuError(
                .storage, zh: "无法创建状态目录 \(options.stateDir)",
                en: "cannot create the state directory \(options.stateDir)")
        }
        checkpointKey = try CheckpointKey.load(stateDir: options.stateDir)
        let refKey = try StateSecret.load("ref-key", stateDir: options.stateDir)
        refs = PersonRefs(secret: refKey.bytes)
        refKeySource = refKey.source
        switch config.store {
        case .sqlite:
            store = try SQLiteStore(
                path: options.databasePath, policy: config.policy, synchronousFull: config.synchronousFull)
            leadership = nil
        case .postgres(let settings):
            let password = try settings.password()
            store = try PostgresStore(url: settings.url, password: password, policy: config.policy)
            leadership = PostgresLeadership(url: settings.url, password: password)
        }
        try await Runtime.agreeOnConfiguration(config, store: store, at: clock.now())
        let keyed = try await store.keyRefs(Workflow.keying(refs), at: clock.now())
        if keyed > 0 { logger.notice("refs in \(keyed) stored forms keyed with the secret ref-key") }
        if !config.units.isEmpty { try await store.syncUnits(config.units, at: clock.now()) }
        let plugins = Runtime.loadPlugins(config, options: options, clock: clock, logger: logger)
        Wire.zone.withLock { $0 = config.businessZone }
        current = Mutex(
            Snapshot(
                config: config, plugins: plugins,
                workflow: Workflow(store: store, plugins: plugins, zone: config.businessZone, refs: refs)))
        var leads: (@Sendable () async -> Bool)?
        if let leadership = self.leadership {
            leads = { await leadership.leadsNow() }
        }
        scheduler = Scheduler(
            store: store, clock: clock, logger: logger, batchSize: options.planningBatch,
            leads: leads,
            checkpoint: { [unowned self] in await self.checkpoint(.timer) }
        ) { [unowned self] in
            let s = self.snapshot
            return (s.workflow, s.config)
        }
    }

    /// On a shared store every instance runs one configuration: one that differs from the one
    /// kept in the database is refused (at start or reload), naming the keys that differ.
    static func agreeOnConfiguration(_ config: BangfuConfiguration, store: any SQLStore, at now: Date) async throws {
        let differing = try await store.agreeOnConfiguration(config.digests, adopt: false, by: "system", at: now)
            .differing
        guard differing.isEmpty else {
            let keys = differing.joined(separator: ", ")
            throw BangfuError(
                .invalidConfig,
                zh: "配置与共用此数据库的其他实例不同（\(keys)）：各实例须用同一份配置；确需更改时，先在各主机更新配置文件，再运行 bangfu-db adopt-config，然后逐台重新加载",
                en:
                    "the configuration differs from the one the other instances on this database run (\(keys)): all instances run one configuration; to change it, update the file on every host, run bangfu-db adopt-config, then reload each instance"
            )
        }
    }

    static func loadPlugins(_ config: BangfuConfiguration, options: Options, clock: DaemonClock, logger: Logger)
        -> PluginRegistry
    {
        let dir = options.pluginDirectory(config)
        let reg = PluginLoader.load(
            directory: dir, settings: config.helpTypeSettings, clock: { clock.now() },
            logger: Logger(label: "bangfu.plugins"))
        // Each failure is logged once, here, with the file and the reason.
        for f in reg.failed {
            logger.error("help-type plugin not loaded: \(f.reason)", metadata: ["FILE": "\(f.file)"])
        }
        logger.info("loaded \(reg.loaded.count) help types from \(dir)", metadata: ["PLUGIN_DIR": "\(dir)"])
        return reg
    }

    var snapshot: Snapshot { current.withLock { $0 } }

    /// Open control connections (0 before the server runs).
    func connections() -> Int { connectionCount.withLock { $0?() ?? 0 } }

    /// Does what is due now, before a clock advance answers.
    func settleTimers() async { await scheduler.fireDue() }
    public var config: BangfuConfiguration { snapshot.config }
    public var plugins: PluginRegistry { snapshot.plugins }
    public var workflow: Workflow { snapshot.workflow }

    /// Re-reads the configuration file. A bad file keeps the old configuration and says why.
    public func reload() async throws {
        guard let path = options.configPath else {
            logger.info("reload: no configuration file, built-in defaults stay")
            return
        }
        let fresh = try BangfuConfiguration.load(path: path)
        try await Runtime.agreeOnConfiguration(fresh, store: store, at: clock.now())
        if !fresh.units.isEmpty { try await store.syncUnits(fresh.units, at: clock.now()) }
        store.update(policy: fresh.policy)
        let plugins = Runtime.loadPlugins(fresh, options: options, clock: clock, logger: logger)
        Wire.zone.withLock { $0 = fresh.businessZone }
        current.withLock {
            $0 = Snapshot(
                config: fresh, plugins: plugins,
                workflow: Workflow(store: store, plugins: plugins, zone: fresh.businessZone, refs: refs))
        }
        logger.info("configuration reloaded from \(path)")
    }
}

/// Refused calls, rate-limited per caller: at most `burst` lines per uid and window, then one line
/// saying how many of that uid's refusals were left out. Every refusal is counted against its uid.
final class SecurityLog: Sendable {
    let logger: Logger
    let state = Mutex<[UInt32: (windowStart: Date, count: Int, suppressed: Int)]>([:])
    let burst = 100
    let window: TimeInterval = 10

    init(logger: Logger) { self.logger = logger }

    func refused(uid: UInt32, user: String, method: String, reason: String) {
        let (log, suppressedBefore) = state.withLock { all -> (Bool, Int) in
            let now = Date()
            var s = all[uid] ?? (now, 0, 0)
            var before = 0
            if now.timeIntervalSince(s.windowStart) > window {
                before = s.suppressed
                s = (now, 0, 0)
            }
            s.count += 1
            let log = s.count <= burst
            if !log { s.suppressed += 1 }
            all[uid] = s
            return (log, before)
        }
        if suppressedBefore > 0 {
            logger.warning(
                "\(suppressedBefore) more refusals for uid \(uid) were not logged (rate limit)",
                metadata: ["UID": "\(uid)", "SECURITY": "refused", "SUPPRESSED": "\(suppressedBefore)"])
        }
        if log {
            logger.warning(
                "refused \(method) for uid \(uid) (\(user)): \(reason)",
                metadata: ["UID": "\(uid)", "USER": "\(user)", "METHOD": "\(method)", "SECURITY": "refused"])
        }
    }
}
