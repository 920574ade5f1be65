//! Sorting by a key, for the DNC's free list, the LRU's least-used slots and the
//! priority-sort task. One function serves them all: each `sort_by` closure was its own
//! compiled copy of the standard library's sort (about 6 KB of the page's wasm each).

/// The indices of `keys` in ascending order of their keys (`f32::total_cmp`); the sort
/// is stable, so equal keys keep ascending index order.
pub fn ascending_order(keys: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_keep_index_order() {
        assert_eq!(
            ascending_order(&[0.5, 0.1, 0.5, -2.0, 0.1]),
            vec![3, 1, 4, 0, 2]
        );
        assert_eq!(ascending_order(&[]), Vec::<usize>::new());
    }
}
