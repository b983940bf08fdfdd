//! The shop example's orders as the send tests write them, and a fake Graph API that
//! knows the shop's pixel at the orders' "now".

#![allow(dead_code)] // each test crate uses part of it

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::graph::{FakeConfig, FakeGraph, Fault};

/// "Now" for tagc and the fake: 2026-11-21T10:13:20Z, a day after the sample orders.
pub const NOW: i64 = 1_795_300_000;
/// The shop example's production pixel.
pub const SHOP_PIXEL: &str = "314159265358979";
/// A CSV header of the shop mapping's record paths (the columns of [`csv_row`]).
pub const CSV_HEADER: &str = "order.id,order.paid_at,order.total,order.currency,order.customer.email,order.checkout.url,order.checkout.ip,order.checkout.user_agent";

/// The shop's sample order number `i`; its event id is `ES-{i:06}`.
#[must_use]
pub fn order(i: usize) -> Value {
    json!({"order": {
        "id": format!("ES-{i:06}"),
        "paid_at": "2026-11-20T18:42:13+01:00",
        "total": 84.80,
        "currency": "EUR",
        "customer": {"id": format!("cus_{i}"), "email": format!(" Buyer{i}@Example.com"),
                     "phone": "612 345 678", "first_name": "Lucía", "last_name": "Martín"},
        "billing": {"city": "Valencia", "postal_code": "46001", "country": "ES"},
        "lines": [{"sku": "TS-0042-M", "qty": 2, "unit_price": 24.90},
                  {"sku": "MUG-0007", "qty": 1, "unit_price": 35.00}],
        "checkout": {"url": "https://shop.example.com/checkout/thank-you",
                     "ip": "2001:db8:4f2a::17",
                     "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)",
                     "cookies": {"_fbp": "fb.1.1792600000000.1987654321"}}
    }})
}

/// `records` written one per line to `dir/name`.
pub fn write_records(dir: &Path, name: &str, records: &[Value]) -> PathBuf {
    let path = dir.join(name);
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&path, text).expect("the records file is written");
    path
}

/// Orders `1..=n` in `dir/orders.ndjson`, one per line: order `i` is on line `i`.
pub fn orders_file(dir: &Path, n: usize) -> PathBuf {
    let records: Vec<Value> = (1..=n).map(order).collect();
    write_records(dir, "orders.ndjson", &records)
}

/// A CSV row under [`CSV_HEADER`] for order `C-{i}` (valid for the shop mapping, no
/// quotes).
#[must_use]
pub fn csv_row(i: usize) -> String {
    format!(
        "C-{i},2026-11-20T18:42:13Z,12.50,EUR,buyer{i}@example.com,https://shop.example.com/t,8.8.8.8,Mozilla/5.0"
    )
}

/// A fake's configuration that knows the shop's pixel, its clock at [`NOW`].
#[must_use]
pub fn shop_config() -> FakeConfig {
    FakeConfig::new().pixel(SHOP_PIXEL).now(NOW)
}

/// A fake that knows the shop's pixel, at [`NOW`], with `faults`.
#[must_use]
pub fn shop_fake(faults: Vec<Fault>) -> FakeGraph {
    FakeGraph::start(FakeConfig {
        faults,
        ..shop_config()
    })
}
