//! Paths in Meta's `$['data'][0]['user_data']['em'][0]` form.

pub(super) fn p_event(i: usize) -> String {
    format!("$['data'][{i}]")
}

pub(super) fn p_field(i: usize, key: &str) -> String {
    format!("$['data'][{i}]['{key}']")
}

pub(super) fn p_sub(i: usize, obj: &str, key: &str) -> String {
    format!("$['data'][{i}]['{obj}']['{key}']")
}

pub(super) fn p_sub_item(i: usize, obj: &str, key: &str, j: usize) -> String {
    format!("$['data'][{i}]['{obj}']['{key}'][{j}]")
}
