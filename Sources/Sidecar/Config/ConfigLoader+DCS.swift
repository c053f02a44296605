import Hooks
import Yams

/// `etcd3:` and `tags:`.
extension ConfigLoader {
    /// `etcd3` from the file, with `SIDECAR_ETCD_HOSTS` and the flag replacing its hosts (or creating it).
    mutating func readEtcd(_ node: Node?) -> EtcdSettings? {
        var settings: EtcdSettings?
        if let section = mapping(node, at: "etcd3") {
            var etcd = EtcdSettings(hosts: [])
            var written: [String] = []
            if let hosts = section["hosts"] {
                if case .sequence(let list) = hosts {
                    for (index, host) in list.enumerated() {
                        if let text = string(host, at: "etcd3.hosts[\(index)]") { written.append(text.trimmingSpaces()) }
                    }
                } else if let text = string(hosts, at: "etcd3.hosts") {
                    written = text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
                }
            } else if let host = string(section["host"], at: "etcd3.host") {
                written = host.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
            }
            etcd.hosts = Self.hostList(written.joined(separator: ","))
            let httpsHosts = written.filter { $0.hasPrefix("https://") }
            if let protocolName = choice(section["protocol"], at: "etcd3.protocol", ["http", "https"]) {
                etcd.protocolName = protocolName
                if protocolName == "http", let host = httpsHosts.first {
                    problems.append(
                        ConfigProblem("etcd3.protocol", "is http but etcd3 names '\(host)': set etcd3.protocol: https or drop the scheme"))
                }
            } else if !httpsHosts.isEmpty {
                // Patroni reads the scheme of a host URL: an https:// host means TLS even without etcd3.protocol.
                etcd.protocolName = "https"
            }
            etcd.cacert = string(section["cacert"], at: "etcd3.cacert").map(filePath)
            etcd.cert = string(section["cert"], at: "etcd3.cert").map(filePath)
            etcd.key = string(section["key"], at: "etcd3.key").map(filePath)
            etcd.username = string(section["username"], at: "etcd3.username")
            etcd.password = string(section["password"], at: "etcd3.password")
            if etcd.key != nil && etcd.cert == nil {
                problems.append(ConfigProblem("etcd3.key", "a client key needs its certificate: set etcd3.cert too"))
            }
            if etcd.password != nil && etcd.username == nil {
                problems.append(ConfigProblem("etcd3.password", "a password needs a user: set etcd3.username too"))
            }
            settings = etcd
        }
        let overridden = overrides.etcdHosts ?? environment["SIDECAR_ETCD_HOSTS"].map(Self.hostList)
        if let overridden, !overridden.isEmpty {
            var etcd = settings ?? EtcdSettings(hosts: [])
            etcd.hosts = overridden
            settings = etcd
        }
        if let hosts = settings?.hosts {
            if hosts.isEmpty {
                problems.append(
                    ConfigProblem("etcd3", "no etcd host: set etcd3.host: 127.0.0.1:2379 or etcd3.hosts (a list or a comma-separated string)"))
            }
            for host in hosts where !Self.isHostPort(host) {
                problems.append(ConfigProblem("etcd3.hosts", "'\(host)' is not host:port: write e.g. 10.0.0.1:2379"))
            }
        }
        return settings
    }

    /// `a:1, b:2` or `a:1,b:2` as a list; `http://` and `https://` prefixes dropped.
    static func hostList(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }.map { host in
            for scheme in ["http://", "https://"] where host.hasPrefix(scheme) {
                return String(host.dropFirst(scheme.count))
            }
            return host
        }
    }

    /// `tags`: `clonefrom` and `nofailover` as booleans, every tag kept for the member key.
    mutating func readTags(_ node: Node?) -> NodeTags {
        var tags = NodeTags()
        guard let section = mapping(node, at: "tags") else { return tags }
        tags.all = Self.parameters(section)
        tags.clonefrom = boolean(section["clonefrom"], at: "tags.clonefrom") ?? false
        tags.nofailover = boolean(section["nofailover"], at: "tags.nofailover") ?? false
        return tags
    }
}
