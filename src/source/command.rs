//! `command` source. TODO(helper): real client.

use super::poll::PollContext;
use super::{Payload, SourceError};
use crate::playbook::SourceSpec;

pub async fn poll(_ctx: &PollContext, _spec: &SourceSpec) -> Result<Payload, SourceError> {
    Err(SourceError::Unsupported("command".into()))
}
