// swift-tools-version:6.1
// An example help type built outside the bangfu package: it needs only BangfuPluginKit.
// Build: swift build --package-path examples/help-type-example
// Then copy .build/debug/libbangfu-help-winter-heating.so into bangfud's plugin directory.
import PackageDescription

let package = Package(
    name: "bangfu-help-example",
    products: [
        // The product name gives the file name libbangfu-help-<id>.so; <id> must match the descriptor.
        .library(name: "bangfu-help-winter-heating", type: .dynamic, targets: ["WinterHeating"])
    ],
    dependencies: [
        // A third party would point at a release of the SDK instead of this path.
        .package(path: "../../PluginKit")
    ],
    targets: [
        .target(name: "WinterHeating", dependencies: [.product(name: "BangfuPluginKit", package: "PluginKit")])
    ],
    swiftLanguageModes: [.v6]
)
