//! `prometheus` source. TODO(helper): real client.

use super::poll::PollContext;
use super::{Payload, SourceError};
use crate::playbook::SourceSpec;

pub async fn poll(
    _ctx: &PollContext,
    _spec: &SourceSpec,
    _queries: &[String],
) -> Result<Payload, SourceError> {
    Err(SourceError::Unsupported("prometheus".into()))
}
