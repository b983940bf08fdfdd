#![allow(missing_docs, clippy::unwrap_used, clippy::print_stderr)]
#[path = "../benches/common/mod.rs"]
#[allow(dead_code)]
mod common;
#[test]
fn serve_site() {
    let pages: usize = std::env::var("PAGES")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(50);
    let dist = std::path::Path::new("/tmp/site50/dist");
    let cfg = common::site::config(std::path::Path::new("/tmp/site50/config"), pages, true);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tagc"))
        .arg("build")
        .arg(&cfg)
        .arg("--out")
        .arg(dist)
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = tagc::browser::serve::Server::start_routes(common::site::routes(
        &dist.join("pixel/pages"),
        pages,
    ))
    .unwrap();
    std::fs::write("/tmp/site50/url", s.url("")).unwrap();
    std::thread::sleep(std::time::Duration::from_secs(3600));
}
