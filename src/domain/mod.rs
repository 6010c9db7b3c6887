//! Types that parse: once a value is one of these, it is valid everywhere below the edge.

mod email;
mod organisation;
mod text;
mod user;

pub use email::Email;
pub use organisation::{OrgCode, OrgKind};
pub use text::{fold_for_search, search_key};
pub use user::{NotificationFrequency, PersonName, WorkDomain};
