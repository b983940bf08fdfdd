//! Order-preserving data parallelism over slices, on scoped standard threads.
//!
//! A large site's pages are independent of each other when their snippets, checks and
//! plan lines are generated; [`map`] spreads them over the machine's cores and gives the
//! results back in input order, so the output stays byte-identical to a sequential run.

/// Below this many items a slice is mapped on the calling thread: spawning costs more.
const MIN_CHUNK: usize = 64;

/// `items.iter().enumerate().map(f).collect()`, computed on up to every core. The index
/// passed to `f` is the item's index in `items`. A panic in `f` is resumed on the caller.
pub fn map<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(usize, &T) -> R + Sync,
{
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    map_with(threads, MIN_CHUNK, items, f)
}

/// [`map`] on up to `threads` threads, with at least `min_chunk` items per thread.
fn map_with<T, R, F>(threads: usize, min_chunk: usize, items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(usize, &T) -> R + Sync,
{
    let chunk = items.len().div_ceil(threads.max(1)).max(min_chunk.max(1));
    if threads <= 1 || items.len() <= chunk {
        return items.iter().enumerate().map(|(i, t)| f(i, t)).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                scope.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, t)| f(c * chunk + i, t))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            out.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    /// Several threads whatever the machine: the test must not depend on its cores.
    #[test]
    fn keeps_order_and_indices() {
        for threads in [1, 2, 3, 8] {
            for n in [0, 1, 2, 3, 7, 64, 65, 1000] {
                let items: Vec<usize> = (0..n).map(|i| i * 3).collect();
                let got = super::map_with(threads, 2, &items, |i, &x| {
                    (i, x + 1, std::thread::current().id())
                });
                let want: Vec<(usize, usize)> = (0..n).map(|i| (i, i * 3 + 1)).collect();
                let pairs: Vec<(usize, usize)> = got.iter().map(|&(i, x, _)| (i, x)).collect();
                assert_eq!(pairs, want, "threads = {threads}, n = {n}");
                let mut ids: Vec<_> = got.iter().map(|&(_, _, id)| id).collect();
                ids.dedup();
                let expected = if threads == 1 {
                    1
                } else {
                    n.div_ceil(n.div_ceil(threads).max(2))
                };
                if n > 2 {
                    assert_eq!(ids.len(), expected, "threads = {threads}, n = {n}");
                }
            }
        }
        let items: Vec<u32> = (0..500).collect();
        assert_eq!(super::map(&items, |i, &x| i as u32 + x)[499], 998);
    }

    #[test]
    #[should_panic(expected = "boom")]
    fn a_panic_reaches_the_caller() {
        let items: Vec<u32> = (0..100).collect();
        super::map_with(4, 1, &items, |_, &x| assert!(x != 99, "boom"));
    }
}
