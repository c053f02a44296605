// sidecar-bench: prints the project's benchmark figures. Subcommands are added by the issues that own them.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "hooks":
    exit(await HooksBenchmark.run())
case "etcd":
    exit(await EtcdBenchmark.run())
case "chain":
    exit(ChainBenchmark.run())
case "imaging":
    exit(ImagingBenchmark.run(Array(arguments.dropFirst())))
case "reliability":
    exit(await ReliabilityBenchmark.run(Array(arguments.dropFirst())))
case "http":
    exit(HTTPBenchmark.run(Array(arguments.dropFirst())))
case "queue":
    exit(QueueBenchmark.main(Array(arguments.dropFirst())))
default:
    FileHandle.standardError.write(Data("usage: sidecar-bench <queue|hooks|chain|imaging|etcd|http|reliability>\n".utf8))
    exit(64)
}
