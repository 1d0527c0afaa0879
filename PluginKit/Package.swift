// swift-tools-version:6.1
// The help-type plugin ABI and its Swift SDK: a small package of its own, with no dependencies,
// so that a plugin built outside bangfu builds in seconds.
import PackageDescription

let package = Package(
    name: "BangfuPluginKit",
    products: [
        .library(name: "BangfuPluginKit", targets: ["BangfuPluginKit"]),
        .library(name: "CBangfuPluginABI", targets: ["CBangfuPluginABI"]),
    ],
    targets: [
        // The C header every plugin and the host agree on.
        .target(name: "CBangfuPluginABI"),
        // The Swift SDK: implement `HelpTypePlugin`, export it with `BangfuPluginExport`.
        .target(name: "BangfuPluginKit", dependencies: ["CBangfuPluginABI"]),
    ],
    swiftLanguageModes: [.v6]
)
