//! `client_ip_address`: parsing and public-address classification (rules 52, 53).

use super::*;

/// Whether an IP address is private, loopback, link-local, unspecified or a
/// documentation placeholder (rule 53).
#[must_use]
pub fn is_non_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64/10, carrier-grade NAT
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_non_public_ip(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        }
    }
}

pub(super) fn check_client_ip(value: &str, i: usize, out: &mut Vec<Violation>) {
    let key = "client_ip_address";
    match value.parse::<IpAddr>() {
        Ok(ip) if is_non_public_ip(ip) => {
            let path = p_sub(i, "user_data", key);
            let message = format!(
                "The parameter {path} is a private, loopback or placeholder address; send the visitor's real public IP (IPv6 preferred)."
            );
            out.push(CLIENT_IP_NOT_PUBLIC.at(path, message));
        }
        Ok(_) => {}
        Err(_) => {
            let path = p_sub(i, "user_data", key);
            let message = if looks_hashed(value) {
                format!(
                    "The parameter {path} looks hashed; send the IPv4 or IPv6 address as it is (never hash it)."
                )
            } else {
                format!(
                    "The parameter {path} is not a valid IPv4 or IPv6 address (no spaces, no port)."
                )
            };
            out.push(CLIENT_IP_INVALID.at(path, message));
        }
    }
}
