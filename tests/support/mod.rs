//! Test support shared by integration tests.

#[allow(dead_code)] // not every test binary uses every helper
pub mod cli;
pub mod contract;
pub mod graph;
pub mod orders;
