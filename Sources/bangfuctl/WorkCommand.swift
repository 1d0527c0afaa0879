import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuWire
import Foundation

/// `bangfuctl work`: what waits for me, per role I hold (the console's first page, in a terminal).
struct WorkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work", abstract: "我的待办：按角色列出等我处理的事项 / My work: what waits for me, per role.")
    @OptionGroup var global: Global

    func run() {
        let mine = global.call(Wire.Work.Mine())
        if global.json { return global.printJSON(mine.json) }
        let zh = global.zh
        if mine.roles.allSatisfy({ $0.queues.isEmpty }) {
            return print(zh ? "没有等您处理的事项。" : "Nothing waits for you.")
        }
        for role in mine.roles where !role.queues.isEmpty {
            print(zh ? "【\(role.roleName)】" : "[\(role.role)]")
            for queue in role.queues {
                let count = "\(queue.count)\(queue.more ? "+" : "")"
                print(
                    zh
                        ? "  \(queue.title)：\(count)"
                        : "  \(queue.kind.replacingOccurrences(of: "_", with: " ")): \(count)")
                var table = TextTable(headers: zh ? ["编号", "事项", "单位", "日期"] : ["ref", "item", "unit", "since"])
                for item in queue.items {
                    table.add([
                        item.ref, item.label, item.unit,
                        item.since.map { $0.count == 10 ? global.day($0) : global.time($0) } ?? "",
                    ])
                }
                print(table.render().split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            }
        }
    }
}
