//! Which address a request came from, for counting sign-in attempts per address. Behind a
//! reverse proxy every request arrives from the proxy, so the proxy's `X-Forwarded-For` is
//! believed, but only from proxies the operator named: anyone else could write any address
//! there and sidestep the count.

use std::net::IpAddr;

/// Addresses and networks (`10.0.0.0/8`, `::1`) of the operator's reverse proxies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// A comma- or space-separated list; an entry without a prefix length is one address.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut networks = Vec::new();
        for entry in raw.split([',', ' ']).filter(|e| !e.is_empty()) {
            let (address, prefix) = match entry.split_once('/') {
                Some((address, prefix)) => (address, Some(prefix)),
                None => (entry, None),
            };
            let address: IpAddr = address
                .parse()
                .map_err(|_| format!("'{entry}' is not an address or a network"))?;
            let bits = if address.is_ipv4() { 32 } else { 128 };
            let prefix = match prefix {
                Some(p) => p
                    .parse::<u8>()
                    .ok()
                    .filter(|p| *p <= bits)
                    .ok_or_else(|| format!("'{entry}' has a prefix length outside 0–{bits}"))?,
                None => bits,
            };
            networks.push((address, prefix));
        }
        Ok(Self(networks))
    }

    pub fn contains(&self, candidate: IpAddr) -> bool {
        self.0
            .iter()
            .any(|(network, prefix)| in_network(candidate, *network, *prefix))
    }
}

fn in_network(candidate: IpAddr, network: IpAddr, prefix: u8) -> bool {
    let candidate = match (candidate, network) {
        (IpAddr::V6(v6), IpAddr::V4(_)) => v6.to_ipv4_mapped().map(IpAddr::V4),
        _ => Some(candidate),
    };
    match (candidate, network) {
        (Some(IpAddr::V4(c)), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(c) & mask == u32::from(n) & mask
        }
        (Some(IpAddr::V6(c)), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(c) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// The peer itself, unless it is a trusted proxy: then the right-most hop of
/// `X-Forwarded-For` that is not a trusted proxy. Hops left of that one were written by the
/// client and are not believed; an unreadable hop stops the walk at the last proxy.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &TrustedProxies) -> IpAddr {
    let mut current = peer;
    let mut hops = forwarded_for
        .iter()
        .rev()
        .flat_map(|header| header.rsplit(','))
        .map(str::trim);
    while trusted.contains(current) {
        match hops.next().map(str::parse::<IpAddr>) {
            Some(Ok(hop)) => current = hop,
            Some(Err(_)) | None => break,
        }
    }
    current
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_forwarded_address_is_believed_only_from_a_trusted_proxy() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.168.1.5 ::1").unwrap();
        let cases: [(&str, &str, &[&str], &str); 9] = [
            (
                "no proxies: the peer",
                "203.0.113.9",
                &["198.51.100.1"],
                "203.0.113.9",
            ),
            (
                "proxy, one hop",
                "10.1.2.3",
                &["198.51.100.1"],
                "198.51.100.1",
            ),
            (
                "proxy, forged hop on the left",
                "10.1.2.3",
                &["1.1.1.1, 198.51.100.1"],
                "198.51.100.1",
            ),
            (
                "two proxies",
                "10.1.2.3",
                &["198.51.100.1, 192.168.1.5"],
                "198.51.100.1",
            ),
            (
                "two headers read as one list",
                "10.1.2.3",
                &["198.51.100.1", "10.9.9.9"],
                "198.51.100.1",
            ),
            ("proxy without the header", "10.1.2.3", &[], "10.1.2.3"),
            ("unreadable hop", "10.1.2.3", &["nonsense"], "10.1.2.3"),
            (
                "only proxies: the left-most",
                "::1",
                &["10.0.0.7, 10.0.0.8"],
                "10.0.0.7",
            ),
            (
                "IPv4 behind an IPv6 listener",
                "::ffff:10.0.0.1",
                &["198.51.100.1"],
                "198.51.100.1",
            ),
        ];
        for (case, peer, header, expected) in cases {
            assert_eq!(
                client_address(ip(peer), header, &trusted),
                ip(expected),
                "{case}"
            );
        }
    }

    #[test]
    fn networks_match_at_their_prefix_edges() {
        let trusted = TrustedProxies::parse("172.16.0.0/12,2001:db8::/32,0.0.0.0/0").unwrap();
        assert!(
            trusted.contains(ip("8.8.8.8")),
            "/0 holds every IPv4 address"
        );
        let narrow = TrustedProxies::parse("172.16.0.0/12,2001:db8::/32").unwrap();
        let cases = [
            ("172.16.0.0", true),
            ("172.31.255.255", true),
            ("172.32.0.0", false),
            ("172.15.255.255", false),
            ("2001:db8:ffff::1", true),
            ("2001:db9::1", false),
        ];
        for (address, inside) in cases {
            assert_eq!(narrow.contains(ip(address)), inside, "{address}");
        }
    }

    #[test]
    fn a_bad_list_says_which_entry() {
        assert_eq!(
            TrustedProxies::parse("10.0.0.0/33").unwrap_err(),
            "'10.0.0.0/33' has a prefix length outside 0–32"
        );
        assert_eq!(
            TrustedProxies::parse("proxy.local").unwrap_err(),
            "'proxy.local' is not an address or a network"
        );
        assert_eq!(
            TrustedProxies::parse("").unwrap(),
            TrustedProxies::default()
        );
    }
}
