//! The batch stage: events gathered per pixel until a batch is full.

use super::ledger::{Held, Kept};

/// An event waiting in a batch: its record for the failed file, and its JSON.
pub(super) type Pending = (Held, String);

/// The open batch of each pixel.
pub(super) struct Batches {
    open: Vec<Vec<Pending>>,
    size: usize,
}

impl Batches {
    /// Empty batches for `pixels` pixels, full at `size` events.
    pub fn new(pixels: usize, size: usize) -> Batches {
        Batches {
            open: (0..pixels).map(|_| Vec::new()).collect(),
            size: size.max(1),
        }
    }

    /// Adds the event to every pixel's batch (or to pixel `only`'s); `keep` makes the
    /// record to keep with each copy. Calls `started` with each pixel whose batch this
    /// event opens.
    pub fn push(
        &mut self,
        line: u64,
        row: Option<u64>,
        json: String,
        only: Option<usize>,
        keep: &dyn Fn() -> Kept,
        started: &mut dyn FnMut(usize),
    ) {
        let targets = match only {
            Some(o) if o < self.open.len() => o..o + 1,
            Some(_) => 0..0,
            None => 0..self.open.len(),
        };
        let last = targets.end.saturating_sub(1);
        let mut json = Some(json);
        for i in targets {
            let json = if i == last {
                json.take().unwrap_or_default()
            } else {
                json.clone().unwrap_or_default()
            };
            if self.open[i].is_empty() {
                started(i);
            }
            let kept = keep();
            self.open[i].push((Held { line, row, kept }, json));
        }
    }

    /// Takes the batches that are full.
    pub fn full(&mut self) -> Vec<(usize, Vec<Pending>)> {
        let size = self.size;
        self.open
            .iter_mut()
            .enumerate()
            .filter(|(_, b)| b.len() >= size)
            .map(|(i, b)| (i, std::mem::take(b)))
            .collect()
    }

    /// Takes every batch that holds an event.
    pub fn drain(&mut self) -> Vec<(usize, Vec<Pending>)> {
        self.open
            .iter_mut()
            .enumerate()
            .filter(|(_, b)| !b.is_empty())
            .map(|(i, b)| (i, std::mem::take(b)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_fill_each_pixels_batch_and_only_the_one_named() {
        let mut b = Batches::new(2, 2);
        let mut started = Vec::new();
        b.push(1, None, "a".into(), None, &|| Kept::Nothing, &mut |i| {
            started.push(i)
        });
        assert!(b.full().is_empty());
        b.push(
            2,
            Some(3),
            "b".into(),
            Some(1),
            &|| Kept::Nothing,
            &mut |i| started.push(i),
        );
        assert_eq!(started, [0, 1], "each batch opened once");
        let full = b.full();
        assert_eq!(full.len(), 1);
        assert_eq!(full[0].0, 1);
        assert_eq!(
            full[0]
                .1
                .iter()
                .map(|p| (p.0.line, p.0.row, p.1.as_str()))
                .collect::<Vec<_>>(),
            [(1, None, "a"), (2, Some(3), "b")]
        );
        let rest = b.drain();
        assert_eq!((rest.len(), rest[0].0, rest[0].1.len()), (1, 0, 1));
        assert!(b.drain().is_empty());
    }
}
