//! The journal's MAC key (`[release] journal_hmac_key_env` / `journal_hmac_key_file`):
//! with it every line also carries an HMAC-SHA256 of its hash, so a line
//! edited, re-chained or appended by someone without the key is detected.
//! The key comes by reference only (an environment variable or a file), never
//! in the playbook, and never appears in output (`Debug` is redacted).

use super::config::JournalConfig;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// A key's bytes and where they came from (for messages).
#[derive(Clone)]
pub struct JournalKey {
    /// The HMAC state after the key (computed once; cloned per line).
    keyed: Option<HmacSha256>,
    from: String,
}

impl std::fmt::Debug for JournalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JournalKey(from {}, redacted)", self.from)
    }
}

impl JournalKey {
    /// A key from raw bytes (`from` says where they came from).
    pub fn new(bytes: impl Into<Vec<u8>>, from: impl Into<String>) -> Self {
        let bytes: Vec<u8> = bytes.into();
        JournalKey {
            // HMAC takes a key of any length: never None in practice.
            keyed: HmacSha256::new_from_slice(&bytes).ok(),
            from: from.into(),
        }
    }

    /// Where the key came from: `$NAME` or a path.
    pub fn from(&self) -> &str {
        &self.from
    }

    fn hmac(&self, hash_hex: &[u8]) -> Option<HmacSha256> {
        let mut m = self.keyed.clone()?;
        m.update(hash_hex);
        Some(m)
    }

    /// The MAC of a line whose hash is `hash_hex`, as hex.
    pub fn mac_hex(&self, hash_hex: &[u8]) -> String {
        self.hmac(hash_hex)
            .map(|m| hex::encode(m.finalize().into_bytes()))
            .unwrap_or_default()
    }

    /// Whether `mac_hex` is the MAC of `hash_hex` (compared in constant time).
    pub fn checks(&self, hash_hex: &[u8], mac_hex: &str) -> bool {
        match (hex::decode(mac_hex), self.hmac(hash_hex)) {
            (Ok(mac), Some(m)) => m.verify_slice(&mac).is_ok(),
            _ => false,
        }
    }
}

/// What the playbook says about the key, and whether this process has it.
#[derive(Debug, Clone, Default)]
pub enum KeySetting {
    /// No key configured: the unkeyed chain only.
    #[default]
    None,
    Available(JournalKey),
    /// Configured, but this process cannot read it (env var unset, file unreadable).
    Missing {
        from: String,
        why: String,
    },
}

impl KeySetting {
    pub fn key(&self) -> Option<&JournalKey> {
        match self {
            KeySetting::Available(k) => Some(k),
            _ => None,
        }
    }

    pub fn is_configured(&self) -> bool {
        !matches!(self, KeySetting::None)
    }

    /// Why lines cannot be written (a keyed journal without its key), if so.
    pub fn cannot_write(&self) -> Option<String> {
        match self {
            KeySetting::Missing { from, why } => Some(format!(
                "the journal is keyed (HMAC) and its key from {from} is not available: {why}; lines written without it would not verify"
            )),
            _ => None,
        }
    }
}

/// The key `[release]` names, read now.
pub fn load(config: &JournalConfig) -> KeySetting {
    if let Some(name) = &config.hmac_key_env {
        let from = format!("${name}");
        return match std::env::var_os(name) {
            Some(v) if !v.is_empty() => {
                KeySetting::Available(JournalKey::new(v.into_encoded_bytes(), from))
            }
            Some(_) => KeySetting::Missing {
                from,
                why: "the variable is empty".into(),
            },
            None => KeySetting::Missing {
                from,
                why: "the variable is not set".into(),
            },
        };
    }
    if let Some(path) = &config.hmac_key_file {
        let from = path.display().to_string();
        return match std::fs::read(path) {
            Ok(mut bytes) => {
                // A trailing newline from `echo ... > file` is not part of the key.
                while bytes.last().is_some_and(|b| b.is_ascii_whitespace()) {
                    bytes.pop();
                }
                if bytes.is_empty() {
                    KeySetting::Missing {
                        from,
                        why: "the file is empty".into(),
                    }
                } else {
                    KeySetting::Available(JournalKey::new(bytes, from))
                }
            }
            Err(e) => KeySetting::Missing {
                from,
                why: format!("cannot read it: {e}"),
            },
        };
    }
    KeySetting::None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mac_checks_with_its_key_only() {
        let k = JournalKey::new(b"s3cret".to_vec(), "$K");
        let mac = k.mac_hex(b"abc");
        assert!(k.checks(b"abc", &mac));
        assert!(!k.checks(b"abd", &mac));
        assert!(!JournalKey::new(b"other".to_vec(), "$K").checks(b"abc", &mac));
        assert!(!k.checks(b"abc", "zz"));
        assert!(!format!("{k:?}").contains("s3cret"));
    }
}
