//! Where an etcd journal lives: `etcd://host:2379[,host2:2379,...]/prefix`
//! (plain gRPC) or `etcds://...` (TLS). The hosts are the cluster's client
//! endpoints; the path is the release's key prefix. Credentials never sit in
//! the URL: they come by reference (`journal_user_env`, `journal_password_env`).

/// A parsed etcd journal URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EtcdTarget {
    /// `host:port` of each member, as written.
    pub endpoints: Vec<String>,
    /// The key prefix, with a leading `/` and no trailing one (e.g. `/liftoff/rl-v42`).
    pub prefix: String,
    pub tls: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("not an etcd URL: it starts with etcd:// (or etcds:// for TLS)")]
    NotEtcd,
    #[error("it names no etcd host")]
    NoHost,
    #[error("endpoint `{0}` is not host:port")]
    BadEndpoint(String),
    #[error("it carries credentials (user:password@): secrets never sit in the playbook")]
    Credentials,
    #[error("it names no key prefix after the hosts")]
    NoPrefix,
    #[error("the key prefix `{0}` has an empty segment, a space, `?` or `#`")]
    BadPrefix(String),
}

/// What to write instead, for messages.
pub const EXAMPLE: &str = "etcd://127.0.0.1:2379/liftoff/my-release";

/// Whether `spec` asks for an etcd journal at all (so its errors are about etcd).
pub fn is_etcd(spec: &str) -> bool {
    spec.starts_with("etcd://") || spec.starts_with("etcds://")
}

impl EtcdTarget {
    pub fn parse(spec: &str) -> Result<EtcdTarget, UrlError> {
        let (tls, rest) = match (spec.strip_prefix("etcd://"), spec.strip_prefix("etcds://")) {
            (Some(r), _) => (false, r),
            (_, Some(r)) => (true, r),
            _ => return Err(UrlError::NotEtcd),
        };
        let (hosts, path) = rest.split_once('/').unwrap_or((rest, ""));
        if hosts.contains('@') {
            return Err(UrlError::Credentials);
        }
        let endpoints = hosts
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(endpoint)
            .collect::<Result<Vec<_>, _>>()?;
        if endpoints.is_empty() {
            return Err(UrlError::NoHost);
        }
        let path = path.trim_end_matches('/');
        if path.is_empty() {
            return Err(UrlError::NoPrefix);
        }
        let bad = path.split('/').any(str::is_empty)
            || path.contains(|c: char| c.is_whitespace() || c == '?' || c == '#');
        if bad {
            return Err(UrlError::BadPrefix(path.to_string()));
        }
        Ok(EtcdTarget {
            endpoints,
            prefix: format!("/{path}"),
            tls,
        })
    }

    /// The endpoints as the client dials them.
    pub fn urls(&self) -> Vec<String> {
        let scheme = if self.tls { "https" } else { "http" };
        self.endpoints
            .iter()
            .map(|e| format!("{scheme}://{e}"))
            .collect()
    }

    /// For messages: `127.0.0.1:2379,127.0.0.1:22379`.
    pub fn hosts(&self) -> String {
        self.endpoints.join(",")
    }
}

/// `host:port`, `[v6]:port`.
fn endpoint(text: &str) -> Result<String, UrlError> {
    let bad = || UrlError::BadEndpoint(text.to_string());
    let (host, port) = text.rsplit_once(':').ok_or_else(bad)?;
    let host_ok = if let Some(inner) = host.strip_prefix('[') {
        inner.ends_with(']') && inner.len() > 1
    } else {
        !host.is_empty() && !host.contains(|c: char| c == ':' || c.is_whitespace())
    };
    match port.parse::<u16>() {
        Ok(p) if p > 0 && host_ok => Ok(text.to_string()),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_or_many_hosts_and_a_prefix() {
        let t = EtcdTarget::parse("etcd://127.0.0.1:2379/liftoff/rl-v42/").unwrap();
        assert_eq!(t.endpoints, vec!["127.0.0.1:2379"]);
        assert_eq!(t.prefix, "/liftoff/rl-v42");
        assert!(!t.tls);
        assert_eq!(t.urls(), vec!["http://127.0.0.1:2379"]);
        let t = EtcdTarget::parse("etcds://a:2379, b:2379,[::1]:2379/x").unwrap();
        assert_eq!(t.endpoints, vec!["a:2379", "b:2379", "[::1]:2379"]);
        assert_eq!(t.urls()[2], "https://[::1]:2379");
        assert_eq!(t.hosts(), "a:2379,b:2379,[::1]:2379");
    }

    #[test]
    fn refuses_what_cannot_work() {
        let err = |s: &str| EtcdTarget::parse(s).unwrap_err();
        assert_eq!(err("http://a:1/x"), UrlError::NotEtcd);
        assert_eq!(err("etcd:///x"), UrlError::NoHost);
        assert_eq!(err("etcd://a/x"), UrlError::BadEndpoint("a".into()));
        assert_eq!(
            err("etcd://a:99999/x"),
            UrlError::BadEndpoint("a:99999".into())
        );
        assert_eq!(err("etcd://u:p@a:2379/x"), UrlError::Credentials);
        assert_eq!(err("etcd://a:2379"), UrlError::NoPrefix);
        assert_eq!(err("etcd://a:2379/"), UrlError::NoPrefix);
        assert_eq!(
            err("etcd://a:2379/x//y"),
            UrlError::BadPrefix("x//y".into())
        );
        assert_eq!(err("etcd://a:2379/x?y"), UrlError::BadPrefix("x?y".into()));
    }
}
