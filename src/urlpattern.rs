//! TEMPORARY STUB (being replaced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError { pub offset: usize, pub len: usize, pub message: String, pub help: Option<String> }
pub struct UrlPattern { s: String }
impl UrlPattern {
    pub fn parse(p: &str) -> Result<UrlPattern, PatternError> { if p.starts_with('/') && !p.contains("//") { Ok(UrlPattern{s:p.into()}) } else { Err(PatternError{offset:0,len:1,message:"bad".into(),help:None}) } }
    pub fn as_str(&self) -> &str { &self.s }
    pub fn params(&self) -> Vec<&str> { self.s.split('/').filter_map(|x| x.strip_prefix('{').and_then(|x| x.strip_suffix('}'))).collect() }
    pub fn covers(&self, o: &UrlPattern) -> bool { self.s == o.s || self.s == "/**" }
}
