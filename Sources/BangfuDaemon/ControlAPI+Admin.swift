import BangfuCore
import BangfuEvidence
import BangfuSystemd
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    func admin() -> VarlinkInterface {
        let runtime = self.runtime
        let store = runtime.store
        let everyone = Set(Role.allCases)
        let methods: [(String, VarlinkMethod)] = [
            method(Wire.Admin.Status.self, roles: everyone) { _, _ in
                let inNotice = try await store.cases(
                    units: try await store.unitTree().units.keys.sorted(), state: .inNotice
                ).count
                let durability = try await store.durability()
                return .init(
                    version: runtime.options.version, startedAt: Wire.time(runtime.startedAt),
                    now: Wire.time(runtime.clock.now()), clock: runtime.clock.isManual ? "manual" : "system",
                    configuration: runtime.options.configPath, database: runtime.options.databasePath,
                    journalMode: durability.journalMode, synchronous: durability.synchronous,
                    connections: Int64(runtime.connections()), plugins: Int64(runtime.plugins.loaded.count),
                    pluginFailures: Int64(runtime.plugins.failed.count), casesInNotice: Int64(inNotice),
                    missedCampaigns: Int64(try await runtime.missedCampaigns().count),
                    nextNoticeDeadline: try await store.nextNoticeDeadline().map(Wire.time),
                    writes: Int64(store.writeStats.writes), writeTransactions: Int64(store.writeStats.transactions),
                    largestWriteGroup: Int64(store.writeStats.largestGroup),
                    auditHeads: Daemon.logsToJournal.load(ordering: .relaxed) ? "journal" : "none",
                    checkpointKey: runtime.checkpointKey.source.rawValue, refKey: runtime.refKeySource.rawValue,
                    checkpointPublicKey: runtime.checkpointKey.publicKeyText)
            },
            method(Wire.Admin.Plugins.self, roles: [.admin, .auditor, .approver, .caseworker, .reviewer, .treasurer]) {
                _, _ in
                let registry = runtime.plugins
                return .init(
                    loaded: registry.loaded.map { plugin in
                        let descriptor = plugin.descriptor
                        return Wire.Admin.Plugin(
                            id: descriptor.id, nameZh: descriptor.nameZh, nameEn: descriptor.nameEn,
                            version: descriptor.version, paymentKind: descriptor.paymentKind.rawValue,
                            file: plugin.file, flags: descriptor.flags, amountCap: descriptor.amountCapFen,
                            fields: descriptor.fields.map { field in
                                Wire.Admin.Field(
                                    key: field.key, labelZh: field.labelZh, labelEn: field.labelEn,
                                    type: field.type.rawValue, required: field.required, min: field.min, max: field.max,
                                    options: field.options, optionsZh: field.optionsZh, optionsEn: field.optionsEn)
                            })
                    },
                    failed: registry.failed.map { failure in
                        Wire.Admin.Failure(file: failure.file, reason: failure.reason)
                    })
            },
            method(Wire.Admin.Names.self, roles: everyone) { _, _ in
                let units = try await store.unitTree().units.values.sorted { $0.id < $1.id }
                return .init(
                    units: units.map { unit in Wire.Admin.Named(id: unit.id, nameZh: unit.name, nameEn: unit.id) },
                    helpTypes: runtime.plugins.loaded.map { plugin in
                        Wire.Admin.Named(
                            id: plugin.descriptor.id, nameZh: plugin.descriptor.nameZh,
                            nameEn: plugin.descriptor.nameEn)
                    },
                    words: Words.catalogue.map { entry in
                        Wire.Admin.Word(kind: entry.kind, code: entry.code, zh: entry.zh, en: entry.en)
                    })
            },
            method(Wire.Admin.VerifyAudit.self, roles: [.auditor, .admin]) { actor, call in
                try actor.requireOnTop(anyOf: [.auditor, .admin], in: try await store.unitTree(), for: "verify_audit")
                let texts = call.anchors ?? []
                guard texts.count <= 10_000 else { throw VarlinkError.invalidParameter("anchors") }
                let anchors = try texts.enumerated().map { index, text in
                    guard let head = AuditHead(parsing: text) else {
                        throw VarlinkError.invalidParameter("anchors.\(index)")
                    }
                    return head
                }
                let report = try await store.verify(anchors: anchors)
                return .init(
                    ok: report.ok, auditRows: Int64(report.auditRows),
                    ledgerTransactions: Int64(report.ledgerTransactions), firstBrokenRow: report.firstBrokenAuditRow,
                    problems: report.problems, head: report.head?.description,
                    anchorsLost: report.anchorsLost.map(\.description))
            },
            method(Wire.Admin.Checkpoint.self, roles: [.auditor, .admin]) { actor, _ in
                try actor.requireOnTop(anyOf: [.auditor, .admin], in: try await store.unitTree(), for: "checkpoint")
                // Signed now, and written to the journal like every checkpoint.
                guard let checkpoint = await runtime.checkpoint(.export) else {
                    throw BangfuError(.notFound, zh: "审计链为空，尚无可签名的链头", en: "the audit chain is empty: no head to sign")
                }
                return .init(
                    checkpoint: checkpoint.text, publicKey: runtime.checkpointKey.publicKeyText,
                    keySource: runtime.checkpointKey.source.rawValue)
            },
            method(Wire.Admin.Backup.self, roles: [.admin]) { actor, call in
                try actor.requireOnTop(anyOf: [.admin], in: try await store.unitTree(), for: "backup")
                let report = try await store.backup(to: call.path, by: actor, at: runtime.clock.now())
                runtime.logger.info(
                    "backup written to \(call.path): \(report.auditRows) audit rows verified",
                    metadata: ["AUDIT_HEAD": "\(report.head?.description ?? "-")"])
                await runtime.checkpoint(.backup)
                return .init(
                    path: call.path, auditRows: Int64(report.auditRows),
                    ledgerTransactions: Int64(report.ledgerTransactions), head: report.head?.description)
            },
            method(Wire.Admin.Reload.self, roles: [.admin]) { actor, _ in
                try actor.requireOnTop(anyOf: [.admin], in: try await store.unitTree(), for: "reload")
                do {
                    Systemd.reloading()
                    try await runtime.reload()
                    Systemd.ready(status: "配置已重新加载 / configuration reloaded")
                } catch let error as BangfuError {
                    Systemd.ready(status: "配置有误，沿用旧配置 / bad configuration, old one kept")
                    throw BangfuError(.invalidConfig, zh: error.zh, en: error.en)
                }
                return .init(configuration: runtime.options.configPath)
            },
            method(Wire.Admin.GetClock.self, roles: everyone) { _, _ in
                .init(now: Wire.time(runtime.clock.now()), manual: runtime.clock.isManual)
            },
            method(Wire.Admin.AdvanceClock.self, roles: [.admin]) { actor, call in
                try actor.requireOnTop(anyOf: [.admin], in: try await store.unitTree(), for: "advance_clock")
                guard runtime.clock.isManual else {
                    throw VarlinkError(
                        "org.bangfu.Admin.ClockNotManual",
                        [
                            "message": .string("bangfud 使用系统时钟，不能拨动：仅在以 --clock manual 启动时可用"),
                            "messageEn": .string("bangfud runs on the system clock; only --clock manual can be moved"),
                        ])
                }
                let now = try runtime.clock.advance(seconds: call.seconds)
                // Let the timer fire what fell due before answering, so the caller sees its effect.
                await runtime.settleTimers()
                return .init(now: Wire.time(now))
            },
        ]
        return VarlinkInterface(
            name: "org.bangfu.Admin", description: ControlAPI.idl(PackageResources.org_bangfu_Admin_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }
}
