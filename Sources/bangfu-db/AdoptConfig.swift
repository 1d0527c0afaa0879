import ArgumentParser
import BangfuCLIKit
import BangfuConfig
import BangfuCore
import BangfuPostgres
import Foundation

/// `bangfu-db adopt-config`: records a changed configuration as the one every bangfud on a shared
/// PostgreSQL store runs. Instances compare their configuration with it at start and reload and
/// refuse one that differs, so a change is made on purpose: update the file on every host, adopt
/// it here once, then reload each instance.
struct AdoptConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt-config",
        abstract: "将配置记为共用 PostgreSQL 的各实例所用的配置 / Record the configuration all instances on a shared store run.")

    @Option(help: "配置文件（YAML），其 store 指向 PostgreSQL / The configuration file; its store is PostgreSQL.")
    var config: String

    @Flag(help: "输出 JSON / Print JSON for scripts.")
    var json = false

    func run() async throws {
        let language = Language.fromEnvironment
        do {
            let loaded = try BangfuConfiguration.load(path: config)
            guard case .postgres(let settings) = loaded.store else {
                throw BangfuError(
                    .invalidInput, zh: "配置 \(config) 的 store 不是 PostgreSQL：单机 SQLite 无须此步",
                    en: "the store of \(config) is not PostgreSQL: a single SQLite instance needs no adoption")
            }
            let store = try PostgresStore(url: settings.url, password: try settings.password(), policy: loaded.policy)
            let user = ProcessInfo.processInfo.environment["SUDO_USER"] ?? NSUserName()
            let agreement = try await store.agreeOnConfiguration(loaded.digests, adopt: true, by: user, at: Date())
            if json {
                let object: [String: Any] = ["differing": agreement.differing, "recorded": agreement.recorded]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else if agreement.differing.isEmpty {
                print(language == .zh ? "配置未变，无须记录" : "the configuration is unchanged: nothing to record")
            } else {
                let keys = agreement.differing.joined(separator: ", ")
                print(
                    language == .zh
                        ? "已记录新配置（变更：\(keys)）：请逐台重新加载各实例（systemctl reload bangfud）"
                        : "the new configuration is recorded (changed: \(keys)): reload each instance (systemctl reload bangfud)"
                )
            }
        } catch let error as BangfuError {
            FileHandle.standardError.write(Data("bangfu-db: \(error.message(language))\n".utf8))
            throw ExitCode(1)
        }
    }
}
