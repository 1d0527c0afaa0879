import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

/// `bangfuctl import archives FILE`: a county's ledger into household archives, through bangfud's
/// rules; bangfuctl reads the file and sends its rows (bangfud never opens a client's path).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "导入台账 / Import ledgers.", subcommands: [Archives.self])

    struct Archives: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "导入困难职工家庭台账（CSV 或 XLSX，一行一人）/ Import household ledgers (CSV or XLSX, a row per person).",
            discussion: """
                列按全国困难职工档案表的中文表头识别（姓名、身份证号、与户主关系、户号或户主身份证号、工作单位、联系电话、\
                家庭住址、月收入、家庭年收入、致困原因、政治面貌、就业状况、所属单位、低保地区、困难类别……），其他表头用 \
                --mapping 对照表（JSON：{"表头": "字段"}，见 docs/import.md）。困难类别按收入测算，表中的只用于核对。\
                同一文件导入两次不会重复建档。
                Columns by the national form's Chinese headings, or a --mapping JSON file (docs/import.md). \
                Safe to repeat: a second import of the same file changes nothing.
                """)
        @OptionGroup var global: Global
        @Argument(help: "CSV（UTF-8 或 GB18030）或 XLSX 文件 / A CSV (UTF-8 or GB18030) or XLSX file.") var file: String
        @Option(help: "表中没有所属单位时用的单位 / Unit for rows that give none.") var unit: String?
        @Option(help: "表中没有低保地区时用的地区代码 / 低保 region for rows that give none.") var region: String?
        @Option(help: "表中没有致困原因时用的原因 / Cause for rows that give none.") var cause: String?
        @Option(help: "表头对照表 JSON / Heading-to-field mapping (JSON).") var mapping: String?
        @Flag(name: .customLong("dry-run"), help: "只检查，不建档 / Check only; change nothing.") var dryRun = false

        func run() throws {
            let zh = global.zh
            guard let data = FileManager.default.contents(atPath: file) else {
                global.die(zh ? "无法读取文件 \(file)" : "cannot read \(file)", code: 2)
            }
            let sheet: Sheet
            do { sheet = try Sheet.read(data) } catch let unreadable as Sheet.Unreadable {
                global.die(zh ? unreadable.zh : unreadable.en, code: 2)
            } catch { global.die(zh ? "无法读取文件 \(file)" : "cannot read \(file)", code: 2) }
            guard let heading = sheet.rows.first, sheet.rows.count > 1 else {
                global.die(zh ? "文件中没有数据行" : "the file has no rows below its heading", code: 2)
            }
            let begun = global.call(
                Wire.Import.Begin(
                    columns: heading, mapping: mapping.map(readMapping), unit: unit, region: region, mainCause: cause,
                    dryRun: dryRun))
            if !begun.ignoredColumns.isEmpty && !global.json {
                let names = begun.ignoredColumns.joined(separator: zh ? "、" : ", ")
                FileHandle.standardError.write(
                    Data(((zh ? "未识别、不导入的列：" : "columns not recognised (left out): ") + names + "\n").utf8))
            }
            send(Array(sheet.rows.dropFirst()), to: begun.importId)
            let replies = finish(begun.importId)
            let problems = replies.flatMap(\.problems)
            let results = replies.flatMap(\.results)
            guard let totals = replies.last else { return }
            if global.json {
                var reply = totals
                reply.problems = problems
                reply.results = results
                global.printJSON(reply.json)
            } else {
                report(totals, problems: problems, results: results)
            }
            if !problems.isEmpty || totals.refused > 0 { throw ExitCode(1) }
        }

        /// The rows in messages well under the socket's 1 MiB limit, with a progress bar on a terminal.
        func send(_ rows: [[String]], to importId: String) {
            let progress = isatty(STDERR_FILENO) == 1 && !global.json
            var start = 0
            while start < rows.count {
                var end = start
                var bytes = 0
                while end < rows.count && end - start < 2_000 && bytes < 400_000 {
                    bytes += rows[end].reduce(16) { $0 + $1.utf8.count + 4 }
                    end += 1
                }
                _ = global.call(
                    Wire.Import.Rows(importId: importId, first: Int64(start + 2), rows: Array(rows[start..<end])))
                start = end
                if progress {
                    let bar = CampaignCommand.bar(start, rows.count)
                    FileHandle.standardError.write(Data("\r\(global.zh ? "发送" : "sending") \(bar)".utf8))
                }
            }
            if progress {
                FileHandle.standardError.write(
                    Data("\n\(global.zh ? "正在按档案规则逐户核对……" : "checking each household…")\n".utf8))
            }
        }

        /// Finish's replies. On a terminal, a bar of the households done while bangfud works through
        /// them, asked for on a second connection (Finish answers only when all are done).
        func finish(_ importId: String) -> [Wire.Import.Finish.Reply] {
            let call = Wire.Import.Finish(importId: importId)
            guard isatty(STDERR_FILENO) == 1 && !global.json else { return global.stream(call, timeoutSeconds: 3_600) }
            let answer = FinishAnswer()
            let global = self.global
            Thread { answer.set(global.stream(call, timeoutSeconds: 3_600)) }.start()
            var poller = try? VarlinkClient(path: global.socket, timeoutSeconds: 5)
            while !answer.wait(seconds: 0.3) {
                guard let client = poller else { continue }
                do {
                    let progress = try client.call(Wire.Import.Progress(importId: importId))
                    if progress.households > 0 {
                        let bar = CampaignCommand.bar(Int(progress.done), Int(progress.households))
                        FileHandle.standardError.write(Data("\r\(global.zh ? "建档" : "archiving") \(bar)".utf8))
                    }
                } catch is VarlinkClientError {
                    poller = try? VarlinkClient(path: global.socket, timeoutSeconds: 5)
                } catch {
                    // Not begun yet, or already answered: the bar waits for the next tick or the answer.
                }
            }
            FileHandle.standardError.write(Data("\n".utf8))
            return answer.replies
        }

        func readMapping(_ path: String) -> [String: String] {
            guard let data = FileManager.default.contents(atPath: path),
                let mapping = try? JSONDecoder().decode([String: String].self, from: data)
            else {
                global.die(
                    global.zh
                        ? "对照表 \(path) 无法读取：应为 JSON 对象，如 {\"Name\": \"name\"}"
                        : "mapping \(path) cannot be read: it is a JSON object such as {\"Name\": \"name\"}", code: 2)
            }
            return mapping
        }

        func report(_ totals: Wire.Import.Finish.Reply, problems: [Wire.Import.Problem], results: [Wire.Import.Result])
        {
            let zh = global.zh
            let created = dryRun ? (zh ? "可新建" : "would create") : (zh ? "新建" : "created")
            print(
                zh
                    ? "共 \(totals.households) 户：\(created) \(totals.created)，已有档案未改动 \(totals.unchanged)，未能导入 \(totals.refused)；有问题的值 \(problems.count) 处"
                    : "\(totals.households) households: \(created) \(totals.created), already archived \(totals.unchanged), refused \(totals.refused); \(problems.count) bad values"
            )
            if !problems.isEmpty {
                var table = TextTable(
                    headers: zh ? ["行", "列", "值", "原因"] : ["row", "column", "value", "why"], rightAligned: [0])
                for problem in problems {
                    table.add([
                        String(problem.row), problem.column, problem.value, zh ? problem.message : problem.messageEn,
                    ])
                }
                print("\n" + table.render())
            }
            if !results.isEmpty {
                var table = TextTable(
                    headers: zh ? ["行", "户主", "档案号", "说明"] : ["row", "head", "archive", "note"], rightAligned: [0])
                for result in results {
                    table.add([
                        String(result.row), result.name, result.archiveNo ?? "",
                        (zh ? result.message : result.messageEn) ?? "",
                    ])
                }
                print("\n" + table.render())
            }
            if dryRun { print(zh ? "\n（试运行：没有建档）" : "\n(dry run: nothing archived)") }
        }
    }
}

/// Finish's replies, handed from the thread that waits for them to the one drawing the bar.
private final class FinishAnswer: @unchecked Sendable {
    private let ready = DispatchSemaphore(value: 0)
    private(set) var replies: [Wire.Import.Finish.Reply] = []

    func set(_ replies: [Wire.Import.Finish.Reply]) {
        self.replies = replies
        ready.signal()
    }

    /// True once the replies are in (read `replies` after that); false after `seconds` without them.
    func wait(seconds: Double) -> Bool { ready.wait(timeout: .now() + seconds) == .success }
}
