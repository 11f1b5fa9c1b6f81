//! `[release] journal` and its etcd settings: a URL that can work, secrets by
//! reference only, TLS files only where TLS is asked for.

use super::types::Release;
use super::validate::Findings;
use crate::journal::etcd_url::{is_etcd, EtcdTarget, UrlError, EXAMPLE};

pub(super) fn journal(f: &mut Findings, r: &Release) {
    let spec = r.journal.as_deref().map(str::trim);
    let etcd = spec.is_some_and(is_etcd);
    hmac_key(f, r, etcd);
    match spec {
        Some(s) if etcd => {
            if let Err(e) = EtcdTarget::parse(s) {
                let hint = match e {
                    UrlError::Credentials => "drop the user:password@ part and name environment variables instead: journal_user_env = \"ETCD_USER\", journal_password_env = \"ETCD_PASSWORD\"".to_string(),
                    _ => format!("write e.g. \"{EXAMPLE}\" (several members: etcd://h1:2379,h2:2379,h3:2379/liftoff/my-release)"),
                };
                f.at(
                    "release.journal",
                    format!("bad etcd journal: {e}"),
                    Some(hint),
                );
            }
        }
        Some(s) if s.contains("://") && !s.starts_with("file://") => {
            let scheme = s.split("://").next().unwrap_or_default();
            f.at(
                "release.journal",
                format!("journal scheme \"{scheme}\" is not supported"),
                Some(format!(
                    "write a file path, file://path, or \"{EXAMPLE}\" (etcds:// for TLS)"
                )),
            );
        }
        _ => {}
    }
    let settings = [
        ("journal_user_env", r.journal_user_env.is_some()),
        ("journal_password_env", r.journal_password_env.is_some()),
        ("journal_ca_file", r.journal_ca_file.is_some()),
        ("journal_cert_file", r.journal_cert_file.is_some()),
        ("journal_key_file", r.journal_key_file.is_some()),
    ];
    if !etcd {
        for (key, _) in settings.iter().filter(|(_, set)| *set) {
            f.at_key(
                format!("release.{key}"),
                format!("{key} is for a journal on etcd, and this journal is a file"),
                Some(format!("set journal = \"{EXAMPLE}\", or remove {key}")),
            );
        }
        return;
    }
    let tls = spec.is_some_and(|s| s.starts_with("etcds://"));
    if !tls {
        for (key, _) in settings[2..].iter().filter(|(_, set)| *set) {
            f.at_key(
                format!("release.{key}"),
                format!("{key} is for TLS, and the journal URL is plain etcd://"),
                Some("write the journal URL as etcds://host:2379/prefix to talk TLS".into()),
            );
        }
    }
    pair(
        f,
        r.journal_user_env.is_some(),
        r.journal_password_env.is_some(),
        "journal_user_env",
        "journal_password_env",
        "the user name and password come together",
    );
    pair(
        f,
        r.journal_cert_file.is_some(),
        r.journal_key_file.is_some(),
        "journal_cert_file",
        "journal_key_file",
        "a client certificate needs its key",
    );
    for (key, var) in [
        ("journal_user_env", &r.journal_user_env),
        ("journal_password_env", &r.journal_password_env),
    ] {
        if let Some(v) = var {
            if !is_env_name(v) {
                f.at(
                    format!("release.{key}"),
                    format!("{key} is not an environment variable name (it must not be the value itself)"),
                    Some(format!(
                        "{key} names the variable that holds the value (e.g. \"ETCD_PASSWORD\"), never the value itself"
                    )),
                );
            }
        }
    }
}

/// The keyed chain's key: by reference, one way, on the file journal.
fn hmac_key(f: &mut Findings, r: &Release, etcd: bool) {
    let (env, file) = (&r.journal_hmac_key_env, &r.journal_hmac_key_file);
    if env.is_some() && file.is_some() {
        f.at_key(
            "release.journal_hmac_key_file",
            "journal_hmac_key_env and journal_hmac_key_file are both set: the key comes from one place",
            Some("keep one of them".into()),
        );
    }
    if etcd && (env.is_some() || file.is_some()) {
        let key = if env.is_some() {
            "journal_hmac_key_env"
        } else {
            "journal_hmac_key_file"
        };
        f.at_key(
            format!("release.{key}"),
            format!("{key}: the keyed (HMAC) chain is only available for the file journal so far"),
            Some("remove it, or keep the journal in a file (docs/journal.md)".into()),
        );
    }
    if let Some(v) = env {
        if !is_env_name(v) {
            f.at(
                "release.journal_hmac_key_env",
                "journal_hmac_key_env is not an environment variable name (it must not be the key itself)",
                Some("journal_hmac_key_env names the variable that holds the key (e.g. \"LIFTOFF_JOURNAL_KEY\"), never the key itself".into()),
            );
        }
    }
}

fn is_env_name(v: &str) -> bool {
    !v.is_empty()
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !v.starts_with(|c: char| c.is_ascii_digit())
}

fn pair(f: &mut Findings, a: bool, b: bool, ka: &str, kb: &str, why: &str) {
    let (have, missing) = match (a, b) {
        (true, false) => (ka, kb),
        (false, true) => (kb, ka),
        _ => return,
    };
    f.at_key(
        format!("release.{have}"),
        format!("{have} is set without {missing}: {why}"),
        Some(format!("add {missing} = \"...\" to [release]")),
    );
}
