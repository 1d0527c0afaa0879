import BangfuConfig
import BangfuCore
import BangfuSystemd
import BangfuVarlink
import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Logging
import ServiceLifecycle
import Synchronization

/// Starts bangfud: logging, configuration, store, plugins, then one service group until SIGTERM.
public enum Daemon {
    /// Where log lines go.
    public enum LogTarget: String, Sendable, CaseIterable {
        case journal, stderr, auto
    }

    public struct Settings: Sendable {
        public var options: Runtime.Options
        public var logTarget: LogTarget
        public var logLevel: Logger.Level
        /// `system`, `manual` or `manual:YYYY-MM-DDTHH:MM`.
        public var clock: String
        public var limits: VarlinkLimits

        public init(
            options: Runtime.Options, logTarget: LogTarget, logLevel: Logger.Level, clock: String, limits: VarlinkLimits
        ) {
            self.options = options
            self.logTarget = logTarget
            self.logLevel = logLevel
            self.clock = clock
            self.limits = limits
        }
    }

    /// Whether log lines (and with them the audit heads) go to the journal.
    static let logsToJournal = Atomic<Bool>(false)

    /// Sets up swift-log once: the journal with structured fields, or plain stderr.
    public static func bootstrapLogging(_ target: LogTarget, level: Logger.Level) {
        let journal = target == .journal || (target == .auto && Systemd.stderrIsJournal())
        logsToJournal.store(journal, ordering: .relaxed)
        LoggingSystem.bootstrap { label in
            var h: any LogHandler =
                journal ? JournalLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
    }

    /// What the control socket serves: every interface over `runtime`. The socket server, the
    /// in-process tests and the fuzzer of the real handlers call it alike.
    public static func service(runtime: Runtime) -> VarlinkService {
        VarlinkService(
            vendor: "bangfu", product: "bangfud", version: runtime.options.version,
            url: "https://github.com/bangfu/bangfu", interfaces: ControlAPI(runtime: runtime).interfaces())
    }

    /// Runs until a graceful shutdown. Startup errors are thrown for the caller to report once.
    public static func run(_ s: Settings) async throws {
        // Whatever bangfud creates (database, backups, clock, keys) is its own alone, also when it
        // runs outside the unit (which says UMask=0077 too); the socket's mode is set explicitly.
        umask(0o077)
        let logger = Logger(label: "bangfud")
        let config = try s.options.configPath.map { try BangfuConfiguration.load(path: $0) } ?? BangfuConfiguration()
        let clock = try DaemonClock.parse(s.clock, stateDir: s.options.stateDir, zone: config.businessZone)
        Systemd.status("正在打开数据库 / opening the database")
        let runtime = try await Runtime(options: s.options, config: config, clock: clock, logger: logger)
        // Socket activation when systemd passed a socket; otherwise our own path.
        let fds = Systemd.listenFDs()
        var gid: UInt32?
        if let name = s.options.socketGroup, let numeric = UInt32(name) {
            gid = numeric
        } else if let name = s.options.socketGroup {
            guard let g = getgrnam(name) else {
                throw BangfuError(
                    .invalidConfig, zh: "--socket-group：没有名为 \(name) 的用户组",
                    en: "--socket-group: there is no group named \(name)")
            }
            gid = g.pointee.gr_gid
        }
        let address: VarlinkListenAddress =
            fds.first.map { .descriptor($0.fd) } ?? .path(s.options.socketPath, group: gid)
        if clock.isManual { logger.warning("manual clock (tests and demos only): \(clock.now())") }
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: ControlService(runtime: runtime, address: address, limits: s.limits)),
                    .init(service: SchedulerService(runtime: runtime)),
                    .init(service: WatchdogService(runtime: runtime)),
                    .init(service: ReloadService(runtime: runtime)),
                    .init(service: AuditHeadService(runtime: runtime)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        logger.info("stopped; the database is closed")
    }
}
