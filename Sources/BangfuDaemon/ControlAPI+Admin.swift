import BangfuCore
import BangfuSystemd
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    struct AdvanceParams: Decodable, Sendable { var seconds: Int64 }
    struct BackupParams: Decodable, Sendable { var path: String }

    func admin() -> VarlinkInterface {
        let i = "org.bangfu.Admin"
        let runtime = self.runtime
        let store = runtime.store
        let everyone = Set(Role.allCases)
        let methods: [(String, VarlinkMethod)] = [
            method(.adminStatus, roles: everyone, Empty.self) { _, _ in
                let inNotice = try await store.cases(
                    units: try await store.unitTree().units.keys.sorted(), state: .inNotice
                ).count
                let durability = try await store.durability()
                return .reply([
                    "version": .string(runtime.options.version), "startedAt": .string(Wire.time(runtime.startedAt)),
                    "now": .string(Wire.time(runtime.clock.now())),
                    "clock": .string(runtime.clock.isManual ? "manual" : "system"),
                    "configuration": runtime.options.configPath.map { .string($0) } ?? .null,
                    "database": .string(runtime.options.databasePath),
                    "journalMode": .string(durability.journalMode), "synchronous": .string(durability.synchronous),
                    "connections": .int(Int64(runtime.connections())),
                    "plugins": .int(Int64(runtime.plugins.loaded.count)),
                    "pluginFailures": .int(Int64(runtime.plugins.failed.count)),
                    "casesInNotice": .int(Int64(inNotice)),
                    "nextNoticeDeadline": try await store.nextNoticeDeadline().map { .string(Wire.time($0)) } ?? .null,
                    "writes": .int(Int64(store.writeStats.writes)),
                    "writeTransactions": .int(Int64(store.writeStats.transactions)),
                    "largestWriteGroup": .int(Int64(store.writeStats.largestGroup)),
                ])
            },
            method(.adminPlugins, roles: [.admin, .auditor, .approver, .caseworker, .reviewer, .treasurer], Empty.self)
            {
                _, _ in
                let reg = runtime.plugins
                let loaded: [JSONValue] = reg.loaded.map { p in
                    let d = p.descriptor
                    return .object([
                        "id": .string(d.id), "nameZh": .string(d.nameZh), "nameEn": .string(d.nameEn),
                        "version": .string(d.version),
                        "paymentKind": .string(d.paymentKind.rawValue), "file": .string(p.file),
                        "flags": .array(d.flags.map { .string($0) }),
                        "amountCap": d.amountCapFen.map { .int($0) } ?? .null,
                    ])
                }
                let failed: [JSONValue] = reg.failed.map {
                    .object(["file": .string($0.file), "reason": .string($0.reason)])
                }
                return .reply(["loaded": .array(loaded), "failed": .array(failed)])
            },
            method(.adminVerifyAudit, roles: [.auditor, .admin], Empty.self) { actor, _ in
                try actor.requireOnTop(anyOf: [.auditor, .admin], in: try await store.unitTree(), for: "verify_audit")
                let r = try await store.verify()
                return .reply([
                    "ok": .bool(r.ok), "auditRows": .int(Int64(r.auditRows)),
                    "ledgerTransactions": .int(Int64(r.ledgerTransactions)),
                    "firstBrokenRow": r.firstBrokenAuditRow.map { .int($0) } ?? .null,
                    "problems": .array(r.problems.map { .string($0) }),
                ])
            },
            method(.adminBackup, roles: [.admin], BackupParams.self) { actor, p in
                try actor.requireOnTop(anyOf: [.admin], in: try await store.unitTree(), for: "backup")
                let r = try await store.backup(to: p.path)
                runtime.logger.info("backup written to \(p.path): \(r.auditRows) audit rows verified")
                return .reply([
                    "path": .string(p.path), "auditRows": .int(Int64(r.auditRows)),
                    "ledgerTransactions": .int(Int64(r.ledgerTransactions)),
                ])
            },
            method(.adminReload, roles: [.admin], Empty.self) { actor, _ in
                try actor.requireOnTop(anyOf: [.admin], in: try await store.unitTree(), for: "reload")
                do {
                    Systemd.reloading()
                    try await runtime.reload()
                    Systemd.ready(status: "配置已重新加载 / configuration reloaded")
                } catch let e as BangfuError {
                    Systemd.ready(status: "配置有误，沿用旧配置 / bad configuration, old one kept")
                    throw BangfuError(.invalidConfig, zh: e.zh, en: e.en)
                }
                return .reply(["configuration": runtime.options.configPath.map { .string($0) } ?? .null])
            },
            method(.adminGetClock, roles: everyone, Empty.self) { _, _ in
                .reply(["now": .string(Wire.time(runtime.clock.now())), "manual": .bool(runtime.clock.isManual)])
            },
            method(.adminAdvanceClock, roles: [.admin], AdvanceParams.self) { actor, p in
                try actor.requireOnTop(anyOf: [.admin], in: try await store.unitTree(), for: "advance_clock")
                guard runtime.clock.isManual else {
                    throw VarlinkError(
                        "org.bangfu.Admin.ClockNotManual",
                        [
                            "message": .string("bangfud 使用系统时钟，不能拨动：仅在以 --clock manual 启动时可用"),
                            "messageEn": .string("bangfud runs on the system clock; only --clock manual can be moved"),
                        ])
                }
                let now = try runtime.clock.advance(seconds: p.seconds)
                // Let the timer fire what fell due before answering, so the caller sees its effect.
                await runtime.settleTimers()
                return .reply(["now": .string(Wire.time(now))])
            },
        ]
        return VarlinkInterface(
            name: i, description: ControlAPI.idl(PackageResources.org_bangfu_Admin_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }
}
