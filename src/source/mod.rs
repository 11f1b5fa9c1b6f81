//! Sources: real clients of the real world. Each poll yields an `Observation`
//! (a payload, or an error that says what happened), stamped with its time.
//! Nothing here panics on bad data: garbage in is an error out.

pub mod alertmanager;
pub mod artifacts;
pub mod command;
pub mod exposition;
pub mod http;
pub mod kubernetes;
pub mod poll;
pub mod prometheus;
pub mod scrape;
pub mod sql;
pub mod sql_decode;

// Observations and selectors are data: the core holds them.
pub use liftoff_core::source::{observation, selector};
pub use observation::*;
pub use poll::{poll, PollContext};

/// A bounded fetch's failure, as the source that asked reports it.
impl From<crate::io::fetch::FetchError> for SourceError {
    fn from(e: crate::io::fetch::FetchError) -> Self {
        use crate::io::fetch::FetchError as F;
        match e {
            F::Timeout(d) => SourceError::Timeout(d),
            F::Connect(why) => SourceError::Connect(why),
            F::TooLarge { limit } => SourceError::TooLarge { limit },
            F::Io(why) => SourceError::Io(why),
            F::Config(why) => SourceError::Config(why),
        }
    }
}
