//! Types that parse: once a value is one of these, it is valid everywhere below the edge.

pub mod agenda;
mod eligibility;
mod email;
pub mod markdown;
pub mod note;
mod organisation;
pub mod poll;
pub mod practice;
pub mod rd;
mod slug;
pub mod snippet;
pub mod stem;
mod text;
pub mod topic;
mod user;

pub use eligibility::{Applicant, Misfit, Rules};
pub use email::Email;
pub use organisation::{OrgCode, OrgKind};
pub use slug::Slug;
pub use text::{fold_for_search, search_key};
pub use user::{NotificationFrequency, PersonName, WorkDomain};
