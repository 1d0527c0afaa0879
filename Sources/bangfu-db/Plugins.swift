import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuPlugins
import Foundation

/// `bangfu-db plugins`: the help types that load, and the files that do not, with the reason.
struct Plugins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "列出帮扶项目插件及加载失败原因 / List help-type plugins and why any failed.")

    @OptionGroup var store: StoreOptions

    struct Listing: Encodable {
        var loaded: [Entry]
        var failed: [PluginFailure]
        struct Entry: Encodable {
            var id, nameZh, nameEn, version, paymentKind, file: String
            var flags: [String]
            var amountCapFen: Int64?
        }
    }

    func run() async throws {
        do {
            let reg = store.loadPlugins(try store.loadConfiguration())
            if store.json {
                printJSON(
                    Listing(
                        loaded: reg.loaded.map { p in
                            let d = p.descriptor
                            return .init(
                                id: d.id, nameZh: d.nameZh, nameEn: d.nameEn, version: d.version,
                                paymentKind: d.paymentKind.rawValue,
                                file: p.file, flags: d.flags, amountCapFen: d.amountCapFen)
                        }, failed: reg.failed))
            } else {
                let zh = Language.fromEnvironment == .zh
                var t = TextTable(
                    headers: zh ? ["代码", "名称", "版本", "发放方式", "单件上限"] : ["id", "name", "version", "payment", "cap"],
                    rightAligned: [4])
                for p in reg.loaded {
                    let d = p.descriptor
                    t.add([
                        d.id, zh ? d.nameZh : d.nameEn, d.version, d.paymentKind.rawValue,
                        d.amountCapFen.map { Money(fen: $0).description } ?? "-",
                    ])
                }
                print(t.render())
                for f in reg.failed { print(zh ? "加载失败 \(f.file)：\(f.reason)" : "failed \(f.file): \(f.reason)") }
            }
            if reg.loaded.isEmpty {
                FileHandle.standardError.write(
                    Data(
                        "bangfu-db: 没有加载任何帮扶项目插件：请检查 --plugin-dir 或配置 plugin_dir / no help-type plugin loaded: check --plugin-dir or plugin_dir\n"
                            .utf8))
                throw ExitCode(3)
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            fail(error)
        }
    }
}
