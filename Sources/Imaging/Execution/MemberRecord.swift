import DCS
import Postgres

/// Builds this node's member record (Patroni's JSON shape) from the configuration.
enum MemberRecord {
    static func build(_ configuration: ImagingConfiguration, state: String, role: String) -> Member {
        let address = configuration.postgres.connectAddress ?? configuration.postgres.listen
        let host = address.host.contains(":") ? "[\(address.host)]" : address.host
        return Member(
            name: configuration.name, connURL: "postgres://\(host):\(address.port)/postgres", apiURL: configuration.apiURL,
            state: state, role: role, clonefrom: configuration.clonefrom, nofailover: configuration.nofailover,
            tags: configuration.tags)
    }
}
