//! TEMPORARY STUB (being replaced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError { pub offset: usize, pub len: usize, pub message: String, pub help: Option<String> }
pub fn validate_selector(s: &str) -> Result<(), SelectorError> { if s.trim().is_empty() || s.contains('{') { Err(SelectorError{offset:0,len:1,message:"bad".into(),help:None}) } else { Ok(()) } }
