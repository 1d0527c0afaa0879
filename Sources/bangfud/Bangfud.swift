import ArgumentParser
import BangfuCore
import BangfuDaemon
import BangfuVarlink
import Foundation
import Logging
import Synchronization

/// `bangfud`: the bangfu daemon. Everything but option parsing lives in BangfuDaemon.
///
/// A synchronous command whose main thread waits for the daemon's task: an async main would park
/// the main thread in `dispatch_main`, which valgrind (3.19) cannot run, and `bangfu-bench
/// --callgrind` counts bangfud's instructions under valgrind.
@main
struct Bangfud: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bangfud",
        abstract: "bangfu 帮扶守护进程：通过 varlink Unix 套接字提供服务 / the bangfu daemon, serving varlink on a Unix socket.",
        version: BangfuVersion.current)

    @Option(help: "配置文件（YAML）；不给则用内置默认值 / Configuration file; built-in defaults without it.")
    var config: String?

    @Option(help: "状态目录（数据库、手动时钟）/ State directory (database, manual clock).")
    var stateDir: String = ProcessInfo.processInfo.environment["STATE_DIRECTORY"] ?? "/var/lib/bangfu"

    @Option(help: "控制套接字路径（无 socket activation 时）/ Control socket path when not socket-activated.")
    var socket: String =
        (ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"].map { $0 + "/control.sock" })
        ?? "/run/bangfu/control.sock"

    @Option(help: "自行绑定套接字时的属组（其成员可连接）/ Group owning the socket when bangfud binds it.")
    var socketGroup: String?

    @Option(help: "帮扶项目插件目录 / Help-type plugin directory (default: plugin_dir, else /usr/lib/bangfu/plugins).")
    var pluginDir: String?

    @Option(help: "日志去向 journal|stderr|auto / Log target.")
    var logTarget: String = "auto"

    @Option(help: "日志级别 trace|debug|info|notice|warning|error / Log level.")
    var logLevel: String = "info"

    @Option(help: "时钟 system|manual[:YYYY-MM-DDTHH:MM]（manual 仅供测试与演示）/ Clock; manual is for tests and demos only.")
    var clock: String = "system"

    func run() throws {
        guard let target = Daemon.LogTarget(rawValue: logTarget) else {
            throw ValidationError("--log-target must be journal, stderr or auto")
        }
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical")
        }
        Daemon.bootstrapLogging(target, level: level)
        let settings = Daemon.Settings(
            options: .init(
                configPath: config, stateDir: stateDir, socketPath: socket, pluginDir: pluginDir,
                version: BangfuVersion.current, socketGroup: socketGroup),
            logTarget: target, logLevel: level, clock: clock, limits: VarlinkLimits())
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Void, Error>>(.success(()))
        Task {
            do { try await Daemon.run(settings) } catch { outcome.withLock { $0 = .failure(error) } }
            finished.signal()
        }
        finished.wait()
        do {
            try outcome.withLock { $0 }.get()
        } catch let e as BangfuError {
            let lang = Language.fromEnvironment
            Logger(label: "bangfud").critical("cannot start: \(e.en)")
            FileHandle.standardError.write(Data("bangfud: \(e.message(lang)) [\(e.code)]\n".utf8))
            throw ExitCode(1)
        }
    }
}
