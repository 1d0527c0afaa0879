import BangfuCore
import BangfuWire
import BangfuSystemd
import BangfuVarlink
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// Serves the varlink socket; READY=1 once it listens (the store was opened and migrated before).
struct ControlService: Service {
    let runtime: Runtime
    let address: VarlinkListenAddress
    let limits: VarlinkLimits

    func run() async throws {
        let service = Daemon.service(runtime: runtime)
        var limits = self.limits
        limits.maxConnectionsPerUser = runtime.config.connectionsPerUser
        limits.messageDeadline = .seconds(Int64(runtime.config.messageDeadlineSeconds))
        let security = runtime.security
        let server = VarlinkServer(
            service: service, limits: limits, logger: Logger(label: "bangfu.control"),
            onRefused: { uid, reason in
                security.refused(uid: uid, user: "uid:\(uid)", method: "connect", reason: reason)
            })
        runtime.connectionCount.withLock { $0 = { server.connections } }
        let runtime = self.runtime
        let where_: String =
            switch address {
            case .path(let p, _): p
            case .descriptor(let fd): "fd \(fd) (socket activation)"
            }
        try await withGracefulShutdownHandler {
            try await server.run(address) {
                let n = runtime.plugins.loaded.count
                runtime.logger.info("listening on \(where_)")
                Systemd.ready(status: "就绪：监听 \(where_)，已加载 \(n) 个帮扶项目 / ready on \(where_), \(n) help types")
            }
        } onGracefulShutdown: {
            Systemd.stopping(status: "正在停止：完成进行中的请求 / stopping: finishing calls in flight")
            server.shutdown()
        }
    }
}

/// WATCHDOG=1 at half of WATCHDOG_USEC, only after a no-op round trip through the event loop and
/// the store's writer: a stuck writer stops the pings and systemd restarts the daemon.
struct WatchdogService: Service {
    let runtime: Runtime

    func run() async throws {
        guard let interval = Systemd.watchdogInterval() else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval / 2)
                do {
                    try await MultiThreadedEventLoopGroup.singleton.next().submit {}.get()
                    try await runtime.store.ping()
                    Systemd.watchdogPing()
                } catch {
                    runtime.logger.error("watchdog: the store did not answer: \(error)")
                }
            }
        }
    }
}

/// SIGHUP re-reads the configuration; a bad file keeps the old one and says why.
struct ReloadService: Service {
    let runtime: Runtime

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                Systemd.reloading()
                do {
                    try await runtime.reload()
                    Systemd.ready(status: "配置已重新加载 / configuration reloaded")
                } catch let e as BangfuError {
                    runtime.logger.error("configuration not reloaded, the old one stays: \(e.en)")
                    Systemd.ready(status: "配置有误，沿用旧配置 / bad configuration, old one kept: \(e.en)")
                } catch {
                    runtime.logger.error("configuration not reloaded, the old one stays: \(error)")
                    Systemd.ready(status: "配置有误，沿用旧配置 / bad configuration, old one kept")
                }
            }
        }
    }
}

/// Writes the audit chain's head to the journal, outside the database, signed: at start and after
/// writes, at most once a second (journald's rate limit is shared with the case lines), with
/// `MESSAGE_ID` so that `bangfuctl verify --journal` finds every head bangfud ever wrote. A head
/// kept there pins the chain: a database cut short or recomputed later no longer holds it. (Notices,
/// backups, exports and the timer write theirs through `Runtime.checkpoint`.)
struct AuditHeadService: Service {
    let runtime: Runtime

    func run() async throws {
        await runtime.checkpoint(.start)
        await cancelWhenGracefulShutdown {
            for await _ in runtime.store.commits {
                guard let head = try? await runtime.store.auditHead(),
                    head != runtime.latestCheckpoint.withLock({ $0?.head })
                else { continue }
                runtime.checkpoint(head, why: .write)
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
