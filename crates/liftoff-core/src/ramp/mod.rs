//! The staged traffic ramp as a pure state machine over the playbook's stages.
//! The stage the release is in comes from the journal (`ReleaseState`), so a
//! restarted process resumes where the ramp was. Side effects (setting the
//! share, the readback, journaling) live in `act::stage`.

mod countdown;
mod enter;
mod recovery;

pub use countdown::{
    countdown, decision_point_event, due_decision_points, stage_spec, Countdown, NextPoint,
};
pub use enter::{
    can_enter, can_enter_at, can_step_back, hold_reasons, human, next_stage, previous_stage,
    readback_for, requires_reasons, set_action, undo_action, Reason, Refusal, Standing,
};
pub use recovery::{whereabouts, Whereabouts};
