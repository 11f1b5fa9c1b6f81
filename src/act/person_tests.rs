//! A person's acts through `act::{ack, tick, waive}`: what the rule book
//! refuses leaves the journal as it was; what it allows is journaled once.

use super::rules::WaiveAsk;
use super::{ack, tick, waive, ActContext, ActError};
use crate::journal::{self, Actor};
use crate::release::ReleaseState;
use chrono::Utc;
use std::sync::Arc;

fn playbook() -> String {
    let release = "[release]\nname = \"acts\"\ndistinct_roles = true\n";
    format!(
        "{release}{}",
        super::test_playbook::roles_and_coverage("sre")
    )
}

struct World {
    _dir: tempfile::TempDir,
    ctx: ActContext,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("liftoff.toml");
        std::fs::write(&path, playbook()).unwrap();
        let pb = Arc::new(crate::playbook::load(&path).unwrap());
        let journal = journal::open(&pb.journal_config()).unwrap();
        let ctx = ActContext::new(pb, journal, Actor::here(Some("ana")));
        World { _dir: dir, ctx }
    }

    fn as_(&self, name: &str, role: &str) -> ActContext {
        self.ctx
            .acting_as(Actor::here(Some(name)).with_role(Some(role)))
    }

    fn state(&self) -> ReleaseState {
        ReleaseState::from_read(&self.ctx.journal.read_all().unwrap())
    }

    fn events(&self) -> usize {
        self.ctx.journal.read_all().unwrap().events.len()
    }
}

fn refused(r: Result<impl std::fmt::Debug, ActError>) -> String {
    match r {
        Err(ActError::Refused(why)) => why.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn refused_acts_write_nothing_and_allowed_ones_are_journaled() {
    let w = World::new();
    let now = Utc::now();
    let sre = w.as_("ana", "sre");
    let why = refused(tick::tick(&sre, &w.state(), "plan", true, now).await);
    assert!(why.starts_with("tick refused: "), "{why}");
    let ask = WaiveAsk {
        check: "coverage",
        role: "sre",
        who: "ana",
        justification: "flaky runner",
        for_: None,
    };
    let why = refused(waive::waive(&sre, &w.state(), &ask, now).await);
    assert!(why.starts_with("waiver refused: "), "{why}");
    assert_eq!(w.events(), 0);

    let (plan, _) = ack::ack(&sre, &w.state(), "sre", None, now).await.unwrap();
    assert_eq!(plan.role, "sre");
    tick::tick(&sre, &w.state(), "plan", true, now)
        .await
        .unwrap();
    waive::waive(&sre, &w.state(), &ask, now).await.unwrap();
    assert_eq!(w.events(), 3);
    assert!(w.state().waivers.iter().any(|x| x.check == "coverage"));

    let why = refused(ack::ack(&sre, &w.state(), "captain", None, now).await);
    assert!(
        why.starts_with("ACK refused: unknown role `captain`"),
        "{why}"
    );
    assert_eq!(w.events(), 3);
}
