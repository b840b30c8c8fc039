//! Who may use the admin endpoints (`POST /admin/backup`, `POST /admin/command`).
//!
//! On start the server writes a random token to `<data_dir>/admin.token` (mode 0600) and an
//! address to reach it on to `<data_dir>/admin.addr`. The admin endpoints answer only
//! callers that present that token *and* connect from this host (loopback, or the server's
//! own address when bound to one), and never a request that came through a proxy
//! (`Forwarded`/`X-Forwarded-For`/`X-Real-IP`). Reading the token needs the same file access
//! as reading the data itself, so the endpoints give nobody more than they already have.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;

/// In the data directory: the admin token (mode 0600) and the address to reach the server.
pub const ADMIN_TOKEN_FILE: &str = "admin.token";
pub const ADMIN_ADDR_FILE: &str = "admin.addr";

/// The running server's admin credentials: a random token and the address it listens on.
pub struct AdminAccess {
    token: String,
    /// The address written to `admin.addr`: the listener's, with an unspecified IP replaced
    /// by loopback.
    connect: SocketAddr,
    /// The IP the server is bound to, when it is a specific one.
    bound_ip: Option<IpAddr>,
}

impl std::fmt::Debug for AdminAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminAccess")
            .field("token", &"[redacted]")
            .field("connect", &self.connect)
            .finish()
    }
}

/// Why an admin request was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// It came through a proxy (forwarding headers).
    Proxied,
    /// Not from this host.
    Remote,
    /// No token, or the wrong one.
    Unauthorized,
}

impl AdminAccess {
    /// Fresh credentials for a server listening on `bound`.
    pub fn new(bound: SocketAddr) -> AdminAccess {
        // Two v4 UUIDs: 244 random bits from the operating system's generator.
        let token = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let (connect_ip, bound_ip) = match bound.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => (IpAddr::V4(Ipv4Addr::LOCALHOST), None),
            IpAddr::V6(ip) if ip.is_unspecified() => (IpAddr::V6(Ipv6Addr::LOCALHOST), None),
            ip => (ip, Some(ip)),
        };
        AdminAccess {
            token,
            connect: SocketAddr::new(connect_ip, bound.port()),
            bound_ip,
        }
    }

    pub fn connect_addr(&self) -> SocketAddr {
        self.connect
    }

    /// Writes `admin.token` (mode 0600) and `admin.addr` into `data_dir`, each through a
    /// temporary file and a rename so a reader never sees half a token.
    ///
    /// # Errors
    /// The files can't be written; the error names the file.
    pub fn publish(&self, data_dir: &Path) -> std::io::Result<()> {
        let put = |name: &str, content: &str| -> std::io::Result<()> {
            let path = data_dir.join(name);
            let tmp = data_dir.join(format!("{name}.tmp"));
            let mut file =
                private_file(&tmp).map_err(naming(format!("creating {}", tmp.display())))?;
            file.write_all(content.as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(naming(format!("writing {}", tmp.display())))?;
            std::fs::rename(&tmp, &path).map_err(naming(format!("writing {}", path.display())))
        };
        put(ADMIN_TOKEN_FILE, &self.token)?;
        put(ADMIN_ADDR_FILE, &self.connect.to_string())
    }

    /// Removes the files [`AdminAccess::publish`] wrote, if they are still this server's.
    pub fn unpublish(&self, data_dir: &Path) {
        let token = data_dir.join(ADMIN_TOKEN_FILE);
        if std::fs::read_to_string(&token).is_ok_and(|t| t == self.token) {
            let _ = std::fs::remove_file(token);
            let _ = std::fs::remove_file(data_dir.join(ADMIN_ADDR_FILE));
        }
    }

    /// Whether an admin request may go ahead: not proxied, from this host, with the token.
    ///
    /// # Errors
    /// Why not.
    pub fn authorize(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Result<(), Refusal> {
        if ["forwarded", "x-forwarded-for", "x-real-ip"]
            .iter()
            .any(|h| headers.contains_key(*h))
        {
            return Err(Refusal::Proxied);
        }
        let local = peer.is_some_and(|p| {
            let ip = p.ip().to_canonical();
            ip.is_loopback() || self.bound_ip.is_some_and(|b| b.to_canonical() == ip)
        });
        if !local {
            return Err(Refusal::Remote);
        }
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or("");
        use subtle::ConstantTimeEq;
        if presented.len() == self.token.len()
            && bool::from(presented.as_bytes().ct_eq(self.token.as_bytes()))
        {
            Ok(())
        } else {
            Err(Refusal::Unauthorized)
        }
    }
}

/// Creates (or truncates) `path` readable and writable by this user alone.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Puts `context` (what was being done, to which file) in front of an I/O error's message.
fn naming(context: String) -> impl FnOnce(std::io::Error) -> std::io::Error {
    move |e| std::io::Error::new(e.kind(), format!("{context}: {e}"))
}

/// The answer to a refused admin request.
pub(crate) fn refusal_response(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Unauthorized => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a valid admin token is required (see admin.token in the data directory)\n",
        )
            .into_response(),
        Refusal::Remote | Refusal::Proxied => (
            StatusCode::FORBIDDEN,
            "admin endpoints answer only direct connections from this host\n",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    fn peer(s: &str) -> Option<SocketAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn an_unspecified_listen_address_is_reached_on_loopback() {
        let a = AdminAccess::new("0.0.0.0:3000".parse().unwrap());
        assert_eq!(a.connect_addr(), "127.0.0.1:3000".parse().unwrap());
        let a = AdminAccess::new("[::]:3000".parse().unwrap());
        assert_eq!(a.connect_addr(), "[::1]:3000".parse().unwrap());
        let a = AdminAccess::new("10.1.2.3:3000".parse().unwrap());
        assert_eq!(a.connect_addr(), "10.1.2.3:3000".parse().unwrap());
    }

    #[test]
    fn admin_requests_need_the_token_a_local_peer_and_no_proxy() {
        let a = AdminAccess::new("0.0.0.0:3000".parse().unwrap());
        let good = headers(&[("authorization", format!("Bearer {}", a.token))]);
        assert_eq!(a.authorize(&good, peer("127.0.0.1:5000")), Ok(()));
        assert_eq!(a.authorize(&good, peer("[::1]:5000")), Ok(()));
        // An IPv4 client of a dual-stack listener.
        assert_eq!(a.authorize(&good, peer("[::ffff:127.0.0.1]:5000")), Ok(()));
        assert_eq!(
            a.authorize(&good, peer("192.0.2.7:5000")),
            Err(Refusal::Remote)
        );
        assert_eq!(a.authorize(&good, None), Err(Refusal::Remote));
        let mut proxied = good.clone();
        proxied.insert("x-forwarded-for", "192.0.2.7".parse().unwrap());
        assert_eq!(
            a.authorize(&proxied, peer("127.0.0.1:5000")),
            Err(Refusal::Proxied)
        );
        for bad in [
            headers(&[]),
            headers(&[("authorization", "Bearer nope".into())]),
            headers(&[("authorization", a.token.clone())]),
            headers(&[("authorization", format!("Basic {}", a.token))]),
            headers(&[("authorization", format!("Bearer {}x", a.token))]),
        ] {
            assert_eq!(
                a.authorize(&bad, peer("127.0.0.1:5000")),
                Err(Refusal::Unauthorized)
            );
        }
    }

    #[test]
    fn a_server_bound_to_one_address_accepts_its_own_host_on_it() {
        let a = AdminAccess::new("192.0.2.10:3000".parse().unwrap());
        let good = headers(&[("authorization", format!("Bearer {}", a.token))]);
        assert_eq!(a.authorize(&good, peer("192.0.2.10:5000")), Ok(()));
        assert_eq!(
            a.authorize(&good, peer("192.0.2.11:5000")),
            Err(Refusal::Remote)
        );
    }

    #[test]
    fn tokens_are_long_random_and_never_debug_printed() {
        let (a, b) = (
            AdminAccess::new("127.0.0.1:1".parse().unwrap()),
            AdminAccess::new("127.0.0.1:1".parse().unwrap()),
        );
        assert_eq!(a.token.len(), 64);
        assert_ne!(a.token, b.token);
        assert!(!format!("{a:?}").contains(&a.token));
    }

    #[test]
    fn published_files_are_private_and_removed_only_by_their_server() {
        let dir = tempfile::tempdir().unwrap();
        let a = AdminAccess::new("0.0.0.0:3000".parse().unwrap());
        a.publish(dir.path()).unwrap();
        let token = dir.path().join(ADMIN_TOKEN_FILE);
        assert_eq!(std::fs::read_to_string(&token).unwrap(), a.token);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(ADMIN_ADDR_FILE)).unwrap(),
            "127.0.0.1:3000"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&token).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Another server's token now: this one leaves it alone.
        let b = AdminAccess::new("0.0.0.0:3001".parse().unwrap());
        b.publish(dir.path()).unwrap();
        a.unpublish(dir.path());
        assert!(token.exists());
        b.unpublish(dir.path());
        assert!(!token.exists());
        assert!(!dir.path().join(ADMIN_ADDR_FILE).exists());
        let missing = dir.path().join("gone");
        let err = a.publish(&missing).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!(
                "creating {}",
                missing.join("admin.token.tmp").display()
            )),
            "{err}"
        );
    }
}
