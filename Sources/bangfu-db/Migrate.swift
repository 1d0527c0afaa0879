import ArgumentParser
import BangfuCLIKit
import BangfuConfig
import BangfuCore
import BangfuPostgres
import BangfuStore
import BangfuStoreCopy
import Foundation
import GRDB

/// `bangfu-db migrate --to postgres URL`: copies a SQLite store into an empty PostgreSQL database
/// and proves the copy: every table's rows, spelled alike, hash the same on both sides, so the
/// audit chain's head and every balance are equal too.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "把 SQLite 数据库复制到空的 PostgreSQL 数据库，并证明副本一致 / Copy the SQLite store into an empty PostgreSQL database and prove the copy.",
        discussion: """
            口令 / password: --password-file, else the systemd credential postgres-password
            ($CREDENTIALS_DIRECTORY), never on the command line or in the URL.
            """)

    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("to"), help: "目标数据库种类：postgres / The target: postgres.")
    var target: String

    @Argument(help: "PostgreSQL 连接串，如 postgresql://bangfu@db.example/bangfu / The PostgreSQL URL.")
    var url: String

    @Option(help: "存放口令的文件（仅一行）/ A file holding the password (one line).")
    var passwordFile: String?

    func run() async throws {
        do {
            guard target == "postgres" else {
                throw BangfuError(
                    .invalidInput, zh: "--to 只能是 postgres", en: "--to takes postgres (the only other store)")
            }
            let source = try await store.openStore(try store.loadConfiguration(), at: Date())
            let checked = try await source.verify()
            guard checked.ok else {
                throw BangfuError(
                    .auditBroken, zh: "原库校验未通过，不复制：\(checked.problems.joined(separator: "；"))",
                    en: "the store does not verify, nothing copied: \(checked.problems.joined(separator: "; "))")
            }
            let connection = try connect()
            try PostgresSchema.migrate(connection)
            let copy = StoreCopy(source: try DatabaseQueue(path: store.databasePath), target: connection)
            let proof = try copy.run()
            print(proof, json: store.json)
            if !proof.proven { throw ExitCode(1) }
        } catch let error as BangfuError {
            FileHandle.standardError.write(Data("bangfu-db: \(error.message(.fromEnvironment))\n".utf8))
            throw ExitCode(1)
        } catch let error as PGError {
            // For the administrator: libpq's own words about the connection (host, database, role),
            // and of a refusal only its SQLSTATE and primary message (never the values refused).
            FileHandle.standardError.write(
                Data("bangfu-db: \(error.bangfuError.message(.fromEnvironment))\n  (\(error))\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The password from its file or systemd credential; the URL itself must not carry one.
    func connect() throws -> PGConnection {
        let settings = try PostgresSettings(url: url, passwordFile: passwordFile)
        return try PGConnection(url: url, password: try settings.password(), applicationName: "bangfu-db")
    }

    func print(_ proof: StoreCopy.Proof, json: Bool) {
        if json {
            let object: [String: Any] = [
                "proven": proof.proven, "head": proof.head as Any, "balances": proof.balances,
                "factsChecked": proof.factsChecked, "factProblems": proof.factProblems,
                "tables": proof.tables.map { table in ["table": table.name, "rows": table.rows, "equal": table.equal] },
            ]
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                Swift.print(String(decoding: data, as: UTF8.self))
            }
            return
        }
        let zh = Language.fromEnvironment == .zh
        var table = TextTable(headers: zh ? ["表", "行数", "核对"] : ["table", "rows", "check"], rightAligned: [1])
        for copied in proof.tables {
            table.add([
                copied.name, String(copied.rows),
                copied.equal ? (zh ? "一致" : "equal") : (zh ? "不一致" : "DIFFERENT"),
            ])
        }
        Swift.print(table.render())
        for problem in proof.factProblems { Swift.print(problem) }
        if proof.proven {
            Swift.print(
                zh
                    ? "已复制并核对：审计链头 \(proof.head ?? "（空）") 两边相同，\(proof.balances) 个账户余额相同；"
                        + "PostgreSQL 用自己的行文本核对了 \(proof.factsChecked) 行审计事实，全部相符。"
                    : "copied and proven: the audit head \(proof.head ?? "(empty)") and \(proof.balances) balances are "
                        + "equal; PostgreSQL checked \(proof.factsChecked) audited rows against their facts with its own row texts."
            )
        } else {
            Swift.print(
                zh
                    ? "副本与原库不一致，已撤销：目标库未改动。请保留原库，把上表报告给开发者。"
                    : "the copy differed from the store and was undone: the target is unchanged. Keep the store and report the table above."
            )
        }
    }
}
