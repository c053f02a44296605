// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

/// Release builds of `sidecar` on Linux link with the toolchain's lld: relative relocations packed (DT_RELR, glibc
/// 2.36+, Debian 12) and no symbol table exported for dlsym. With `--static-swift-stdlib` the table of relative
/// relocations is otherwise 2 MB that the loader reads at every start (and keeps mapped); the idle daemon's RSS drops
/// by about 3 MB (docs/http.md).
///
/// lld also places the functions a running daemon executes first, together, in the order of
/// `linker/sidecar.order` (made by `scripts/symbol-order.sh` from a profiled run), so the pages of code it keeps
/// resident hold code it runs rather than its neighbours: 12 MB of resident code becomes 8 MB. This needs the
/// functions in sections of their own, which `scripts/build-release.sh` asks the Swift compiler for.
///
/// And libstdc++, which the static Swift runtime asks for as `-lstdc++`, is taken from libstdc++.a: the search path
/// starts with `linker/static-libstdc++`, whose `libstdc++.so` is a one-line linker script naming the archive
/// (about 1 MB less resident than mapping the shared library).
let releaseLinking: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic",
            "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/linker/sidecar.order",
            "-Xlinker", "--no-warn-symbol-ordering",
            "-L\(Context.packageDirectory)/linker/static-libstdc++",
        ],
        .when(platforms: [.linux], configuration: .release))
]

let package = Package(
    name: "sidecar",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sidecar", targets: ["Sidecar"]),
        .executable(name: "sidecar-bench", targets: ["SidecarBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // System-library shims: each imported by exactly one module.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // libcurl's headers only: the library is loaded with dlopen when the etcd driver first needs it (see shim.h).
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Starting a hook with vfork + execve in C (sidecar_spawn), and pipe2, eventfd and pidfd_open, which Swift's Glibc
        // module does not declare or cannot call (syscall is variadic).
        .systemLibrary(name: "CSpawn"),

        .target(name: "SQLite", dependencies: ["CSQLite"], swiftSettings: strict),
        .target(
            name: "JobStore",
            dependencies: ["SQLite", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "Hooks",
            dependencies: ["CSpawn", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "Postgres",
            dependencies: ["Hooks", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "DCS",
            dependencies: ["SQLite", "CCurl", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "Imaging",
            dependencies: [
                "Hooks", "Postgres", "DCS", "JobStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "Sidecar",
            dependencies: [
                "Imaging", "Hooks", "Postgres", "DCS", "JobStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict,
            linkerSettings: releaseLinking
        ),
        .executableTarget(
            name: "SidecarBench",
            dependencies: ["JobStore", "Hooks", "DCS", "Imaging", "SQLite", "TestSupport"],
            swiftSettings: strict
        ),

        // Harnesses shared by the test targets: temp dirs owned by `postgres`, free ports, real PostgreSQL and etcd.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),

        .testTarget(name: "SQLiteTests", dependencies: ["TestSupport", "SQLite"], swiftSettings: strict),
        .testTarget(name: "JobStoreTests", dependencies: ["TestSupport", "JobStore", "SQLite"], swiftSettings: strict),
        .testTarget(name: "HooksTests", dependencies: ["TestSupport", "Hooks"], swiftSettings: strict),
        .testTarget(name: "PostgresTests", dependencies: ["TestSupport", "Postgres", "Hooks"], swiftSettings: strict),
        .testTarget(
            name: "DCSTests",
            dependencies: ["TestSupport", "DCS", "SQLite", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(name: "ImagingTests", dependencies: ["TestSupport", "Imaging", "DCS", "JobStore", "Hooks", "Postgres"], swiftSettings: strict),
        .testTarget(
            name: "SidecarTests",
            dependencies: ["TestSupport", "Sidecar", "Imaging", "DCS", "JobStore", "Hooks", "Postgres"],
            swiftSettings: strict
        ),
    ]
)
