//! Who is asking: the client's address, as the TCP peer or as the trusted proxies saw it.
//!
//! Behind proxies that append to `X-Forwarded-For`, everything left of the entries they wrote
//! is whatever the client chose to send. With `hops` trusted proxies in front of the service,
//! the address the outermost trusted proxy saw is the `hops`-th entry from the right; entries
//! further left are ignored, so rotating them changes nothing (rate limits keep their key).

use std::net::{IpAddr, SocketAddr};

use actix_web::{http::header::HeaderMap, HttpRequest};

/// The client's address for rate limits and logs; `hops` is the number of trusted proxies.
pub fn client_ip(req: &HttpRequest, hops: usize) -> IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    address_seen_by_proxies(req.headers(), peer, hops)
}

/// The address `hops` trusted proxies report for a request that reached us from `peer`.
pub fn address_seen_by_proxies(headers: &HeaderMap, peer: IpAddr, hops: usize) -> IpAddr {
    if hops == 0 {
        return peer;
    }
    let chain = forwarded_chain(headers);
    if chain.is_empty() {
        return peer;
    }
    // More trusted hops than entries: the proxies wrote fewer than configured; the left-most
    // entry is still one of theirs.
    let index = chain.len().saturating_sub(hops);
    chain.get(index).copied().unwrap_or(peer)
}

/// The addresses in `X-Forwarded-For` (all of its lines, in order), or else in `Forwarded`'s
/// `for=` parameters. Entries that are not addresses (`unknown`, obfuscated names) count as
/// positions but cannot be chosen.
fn forwarded_chain(headers: &HeaderMap) -> Vec<IpAddr> {
    let xff: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let entries: Vec<String> = if xff.is_empty() {
        headers
            .get_all("forwarded")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (key, value) = pair.trim().split_once('=')?;
                    key.eq_ignore_ascii_case("for")
                        .then(|| value.trim().trim_matches('"').to_owned())
                })
            })
            .collect()
    } else {
        xff.into_iter().map(str::to_owned).collect()
    };
    let unspecified = IpAddr::from([0, 0, 0, 0]);
    entries
        .iter()
        .map(|e| parse_address(e).unwrap_or(unspecified))
        .collect()
}

/// `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_address(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')
                .and_then(|e| e.split_once(']'))
                .and_then(|(ip, _)| ip.parse().ok())
        })
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    const PEER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let h = headers(&[("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(address_seen_by_proxies(&h, PEER, 0), PEER);
    }

    #[test]
    fn the_client_cannot_choose_its_address_by_writing_the_header_itself() {
        // One proxy that appends: whatever the client wrote stays on the left.
        for forged in ["", "1.2.3.4", "1.2.3.4, 5.6.7.8", "garbage"] {
            let sent = if forged.is_empty() {
                "203.0.113.9".to_owned()
            } else {
                format!("{forged}, 203.0.113.9")
            };
            let h = headers(&[("x-forwarded-for", &sent)]);
            assert_eq!(
                address_seen_by_proxies(&h, PEER, 1),
                "203.0.113.9".parse::<IpAddr>().unwrap(),
                "{sent}"
            );
        }
    }

    #[test]
    fn two_trusted_hops_skip_the_inner_proxy() {
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4, 203.0.113.9"),
            ("x-forwarded-for", "192.0.2.50"),
        ]);
        assert_eq!(
            address_seen_by_proxies(&h, PEER, 2),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn forwarded_is_read_when_x_forwarded_for_is_absent() {
        let h = headers(&[(
            "forwarded",
            "for=1.2.3.4, for=\"[2001:db8::7]:4711\";proto=https",
        )]);
        assert_eq!(
            address_seen_by_proxies(&h, PEER, 1),
            "2001:db8::7".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn no_header_means_the_peer() {
        assert_eq!(address_seen_by_proxies(&HeaderMap::new(), PEER, 1), PEER);
    }
}
