//! `liftoff validate PLAYBOOK`: parse and lint only.

use super::{load_or_report, EXIT_OK};
use std::path::Path;

pub fn run(path: &Path) -> color_eyre::Result<u8> {
    match load_or_report(path) {
        Err(code) => Ok(code),
        Ok(pb) => {
            let p = &pb.playbook;
            println!(
                "{}: valid — \"{}\": {} sources, {} checks, {} roles, {} ramp stages, {} guards, kill switch {}",
                path.display(),
                p.release.name,
                p.sources.len(),
                p.checks.len(),
                p.roles.len(),
                p.ramp.as_ref().map(|r| r.stages.len()).unwrap_or(0),
                p.guards.len(),
                if p.kill_switch.is_some() { "set" } else { "not set" }
            );
            Ok(EXIT_OK)
        }
    }
}
