// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Release builds of the `cutover` tool are one static executable: the Swift runtime,
/// Foundation and the C library linked in, so nothing is loaded or relocated at start-up
/// (`cutover --version` takes about 4 ms instead of 9, a large share of a `cutover status`).
/// With glibc, name lookups (`getaddrinfo`, `getpwuid`) still use the system's configuration
/// files; `/etc/hosts`, DNS and `/etc/passwd` work without loading anything. The sources are
/// compiled against the dynamic modules, whose link lists leave out the static archives
/// Foundation's own objects need, so those are named here, and lld links them whatever their
/// order. Only the executable carries these flags: the library products stay free of unsafe flags.
let releaseToolLinkerSettings: [LinkerSetting] = ["_FoundationICU", "CoreFoundation", "_FoundationCShims", "_FoundationCollections", "swiftSynchronization"].map {
    .linkedLibrary($0, .when(platforms: [.linux], configuration: .release))
} + [
    .unsafeFlags(
        ["-static-executable", "-use-ld=lld"],
        .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "Cutover",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "CutoverCore", targets: ["CutoverCore"]),
        .library(name: "CutoverOperations", targets: ["CutoverOperations"]),
        .library(name: "Cutover", targets: ["Cutover"]),
        .library(name: "CutoverRuntime", targets: ["CutoverRuntime"]),
        .library(name: "CutoverSQLite", targets: ["CutoverSQLite"]),
        .library(name: "CutoverPostgres", targets: ["CutoverPostgres"]),
        .executable(name: "cutover", targets: ["cutover"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "CutoverCore",
            dependencies: [.product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Expand/contract migrations (`.yaml` files of operations) and the SQL each phase plans.
        // Pure like CutoverCore; its own target so that only it links Yams (CutoverCore's
        // fuzz harnesses link CutoverCore's objects by hand, see Fuzz/run.sh).
        .target(
            name: "CutoverOperations",
            dependencies: ["CutoverCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CutoverSQLite",
            dependencies: [
                "CutoverCore",
                // For the SQLite library it compiles (module VaporCSQLite), which
                // SQLiteConnectionHandle calls directly.
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Forks pg_dump, pg_restore and psql so that they die with the process (PR_SET_PDEATHSIG).
        .target(name: "CCutoverSpawn"),
        .target(
            name: "CutoverPostgres",
            dependencies: [
                "CutoverCore",
                "CCutoverSpawn",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Cutover",
            dependencies: ["CutoverCore", "CutoverOperations", .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // For application code: run-time switches, schema guard, lazy row upgrades, self-repair.
        // Never depends on the CLI.
        .target(
            name: "CutoverRuntime",
            dependencies: [
                "Cutover", "CutoverCore", .product(name: "Logging", package: "swift-log"),
                // Counters an operator graphs (repairs done and failed).
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "cutover",
            dependencies: [
                "Cutover", "CutoverCore", "CutoverSQLite", "CutoverPostgres", "CutoverOperations",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: releaseToolLinkerSettings
        ),
        .target(
            name: "CutoverTestSupport",
            dependencies: [
                "CutoverCore", "CutoverSQLite", "CutoverPostgres", "Cutover",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CutoverCoreTests", dependencies: ["CutoverCore", "CutoverOperations", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: swiftSettings),
        .testTarget(
            name: "CutoverSQLiteTests",
            dependencies: ["CutoverSQLite", "CutoverCore", "CutoverTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CutoverPostgresTests",
            dependencies: [
                "CutoverPostgres", "CutoverCore", "CutoverTestSupport", .product(name: "Logging", package: "swift-log"),
                // ExpandContractPlanTests runs the planned SQL of `.yaml` migrations.
                "CutoverOperations",
                // PostgresErrorCauseTests reads the PSQLError a CutoverError keeps.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CutoverTests",
            dependencies: ["Cutover", "CutoverCore", "CutoverTestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // `swift run -c release cutover-runtime-bench`: Benchmarks/README.md, "Runtime".
        .executableTarget(
            name: "cutover-runtime-bench",
            dependencies: ["CutoverRuntime", "Cutover", "CutoverCore", "CutoverSQLite", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/RuntimeBench",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CutoverRuntimeTests",
            dependencies: [
                "CutoverRuntime", "Cutover", "CutoverCore", "CutoverTestSupport", "CutoverPostgres", "CutoverSQLite",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CutoverCLITests",
            dependencies: ["cutover", "CutoverCore", "CutoverTestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
    ]
)

// MARK: - Fuzz targets (only with CUTOVER_FUZZ=1; see Fuzz/run.sh)

/// libFuzzer harnesses for the parsers of user input, one per parser, each exporting
/// `LLVMFuzzerTestOneInput`. `Fuzz/run.sh` compiles them (and CutoverCore) with
/// `-sanitize=fuzzer` into its own scratch folder and links each with libFuzzer's `main` by
/// `swiftc`: SwiftPM would point `main` at an executable target's own entry point instead.
/// Declared only when `CUTOVER_FUZZ=1`, so an ordinary `swift build` or `swift test` neither
/// sees nor builds them.
if Context.environment["CUTOVER_FUZZ"] == "1" {
    for name in ["FuzzConfig", "FuzzMigrationFile", "FuzzDatabaseURL"] {
        package.targets.append(.target(name: name, dependencies: ["CutoverCore"], path: "Fuzz/Sources/\(name)", swiftSettings: swiftSettings))
    }
}
