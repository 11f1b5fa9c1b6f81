//! A playbook after validation: conditions compiled, paths resolved, hashed.

use super::model::Source;
use super::types::{Check, Guard, Playbook, Readback};
use crate::expr::{compile, Expr, ExprError};
use crate::journal::JournalConfig;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct CompiledCheck {
    pub spec: Check,
    pub pass: Expr,
    pub warn: Option<Expr>,
    pub show: Option<Expr>,
}

impl CompiledCheck {
    pub fn compile(spec: Check) -> Result<Self, ExprError> {
        Ok(CompiledCheck {
            pass: compile(&spec.pass)?,
            warn: spec.warn.as_deref().map(compile).transpose()?,
            show: spec.show.as_deref().map(compile).transpose()?,
            spec,
        })
    }
}

#[derive(Debug, Clone)]
pub struct CompiledGuard {
    pub spec: Guard,
    pub trip: Expr,
}

#[derive(Debug, Clone)]
pub struct CompiledReadback {
    pub spec: Readback,
    pub pass: Expr,
}

impl CompiledReadback {
    pub fn compile(spec: &Readback) -> Result<Self, ExprError> {
        Ok(CompiledReadback {
            pass: compile(&spec.pass)?,
            spec: spec.clone(),
        })
    }
}

/// Everything the rest of liftoff needs from a playbook file.
#[derive(Debug, Clone)]
pub struct LoadedPlaybook {
    pub path: PathBuf,
    /// Hex SHA-256 of the file as read: decision records name the exact playbook.
    pub sha256: String,
    pub playbook: Playbook,
    /// Every `[source.ID]`, typed (`playbook.sources` is the table as written).
    pub sources: BTreeMap<String, Source>,
    pub checks: Vec<CompiledCheck>,
    pub guards: Vec<CompiledGuard>,
    pub kill_verify: Option<CompiledReadback>,
    pub ramp_readback: Option<CompiledReadback>,
}

impl LoadedPlaybook {
    /// Relative paths in a playbook are relative to the playbook's folder.
    pub fn base_dir(&self) -> &Path {
        self.path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir().join(p)
        }
    }

    pub fn audit_dir(&self) -> PathBuf {
        self.resolve(&self.playbook.release.audit_dir)
    }

    pub fn name(&self) -> &str {
        &self.playbook.release.name
    }

    /// Where `[release]` puts the journal and how it is reached.
    pub fn journal_config(&self) -> JournalConfig {
        let r = &self.playbook.release;
        let path = |p: &Option<PathBuf>| p.as_deref().map(|p| self.resolve(p));
        JournalConfig {
            location: r.journal.clone(),
            base_dir: self.base_dir().to_path_buf(),
            audit_dir: self.audit_dir(),
            hmac_key_env: r.journal_hmac_key_env.clone(),
            hmac_key_file: path(&r.journal_hmac_key_file),
            user_env: r.journal_user_env.clone(),
            password_env: r.journal_password_env.clone(),
            ca_file: path(&r.journal_ca_file),
            cert_file: path(&r.journal_cert_file),
            key_file: path(&r.journal_key_file),
        }
    }

    /// The queries each source must answer (prometheus polls each one).
    pub fn queries_for(&self, source: &str) -> Vec<String> {
        let pb = &self.playbook;
        let mut qs: Vec<String> = pb
            .checks
            .iter()
            .filter(|c| c.source == source)
            .filter_map(|c| c.query.clone())
            .chain(
                pb.guards
                    .iter()
                    .filter(|g| g.source == source)
                    .filter_map(|g| g.query.clone()),
            )
            .chain(
                [
                    pb.kill_switch.as_ref().map(|k| &k.verify),
                    pb.ramp.as_ref().and_then(|r| r.readback.as_ref()),
                ]
                .into_iter()
                .flatten()
                .chain(pb.rollbacks.iter().map(|r| &r.verify))
                .filter(|r| r.source == source)
                .filter_map(|r| r.query.clone()),
            )
            .collect();
        qs.sort();
        qs.dedup();
        qs
    }
}
