// swift-tools-version:6.1
import PackageDescription

/// The example service of Examples/hummingbird-service/README.md: a small users API on
/// Hummingbird that uses every CutoverRuntime feature. It depends on the Cutover package in
/// this repository by path, so it always builds against the library next to it.
///
/// The root package is named explicitly (`name: "Cutover"`): a path dependency is otherwise
/// known by its folder's name, which differs between checkouts and worktrees.
let package = Package(
    name: "hummingbird-service",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Cutover", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Already in the graph through both packages above; named for `import Logging` and
        // `import NIOCore` (the port the server bound).
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "CutoverExampleService",
            dependencies: [
                .product(name: "Cutover", package: "Cutover"),
                .product(name: "CutoverRuntime", package: "Cutover"),
                .product(name: "CutoverSQLite", package: "Cutover"),
                .product(name: "CutoverPostgres", package: "Cutover"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            // As the root package, except NonisolatedNonsendingByDefault: Hummingbird's
            // middleware protocol is written without it.
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        ),
    ]
)
