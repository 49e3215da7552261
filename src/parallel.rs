//! Spreading work of uneven sizes over the cores: the largest items go
//! first, so that no core is left alone with one large item at the end
//! (a code of a thousand articles parsed last kept one core busy for
//! 50 ms of a corpus build while the other waited). Owns no data; knows
//! nothing of what the items are.

use rayon::prelude::*;

/// `f` of each item (with its index), computed in parallel, the item of
/// largest `weight` (by index) first, returned in the order of `items`.
pub fn map_largest_first<T, R>(
    items: impl IntoIterator<Item = T>,
    weight: impl Fn(usize) -> u64,
    f: impl Fn(usize, T) -> R + Sync + Send,
) -> Vec<R>
where
    T: Send,
    R: Send,
{
    let mut order: Vec<(usize, T)> = items.into_iter().enumerate().collect();
    order.sort_by_key(|(i, _)| std::cmp::Reverse(weight(*i)));
    let n = order.len();
    let done: Vec<(usize, R)> = order
        .into_par_iter()
        .map(|(i, item)| (i, f(i, item)))
        .collect();
    let mut slots: Vec<Option<R>> = (0..n).map(|_| None).collect();
    for (i, r) in done {
        slots[i] = Some(r);
    }
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_the_order_of_the_items() {
        let items: Vec<usize> = (0..1000).map(|i| (i * 7919) % 1000).collect();
        let doubled = map_largest_first(&items, |i| items[i] as u64, |i, &n| (i, n * 2));
        let expected: Vec<(usize, usize)> = items.iter().map(|&n| n * 2).enumerate().collect();
        assert_eq!(doubled, expected);
    }
}
