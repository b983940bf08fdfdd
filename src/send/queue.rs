//! The hand-over from the reader to the mappers: a bounded queue the reader fills one
//! record at a time and each mapper empties a chunk at a time.
//!
//! A channel woke a thread per record: once the queue was full, every record a mapper
//! took woke the reader for one more, and every record the reader put in woke a waiting
//! mapper. Here a thread is woken only when it waits and there is something for it: a
//! mapper as soon as a record is there (so a record that trickles in from a pipe is mapped
//! at once), the reader only once the queue has drained to half its size.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

/// The queue; the reader [`Queue::put`]s, the mappers [`Queue::take`].
pub(super) struct Queue<T> {
    state: Mutex<State<T>>,
    /// Records there, or the reader done: for the mappers.
    ready: Condvar,
    /// Room again, or no mapper left: for the reader.
    room: Condvar,
    capacity: usize,
    chunk: usize,
}

struct State<T> {
    items: VecDeque<T>,
    /// The number of the next chunk taken (chunks are numbered in input order).
    next: u64,
    /// The reader is done: nothing more comes.
    closed: bool,
    /// Mappers still taking.
    takers: usize,
    /// Mappers waiting for records.
    waiting: usize,
    /// The reader waits for room.
    full: bool,
}

impl<T> Queue<T> {
    /// A queue of at most `capacity` records, taken `chunk` at most at a time, by
    /// `takers` mappers (each says when it stops: [`Queue::leave`]).
    pub fn new(capacity: usize, chunk: usize, takers: usize) -> Queue<T> {
        Queue {
            state: Mutex::new(State {
                items: VecDeque::with_capacity(capacity),
                next: 0,
                closed: false,
                takers,
                waiting: 0,
                full: false,
            }),
            ready: Condvar::new(),
            room: Condvar::new(),
            capacity: capacity.max(1),
            chunk: chunk.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A thread that panicked holding the lock left the queue consistent (no step
        // here can panic halfway), so the queue goes on.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Puts a record in, waiting while the queue is full; gives it back when no mapper is
    /// left to take it.
    pub fn put(&self, item: T) -> Result<(), T> {
        let mut s = self.lock();
        while s.items.len() >= self.capacity && s.takers > 0 {
            s.full = true;
            s = self
                .room
                .wait(s)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        if s.takers == 0 {
            return Err(item);
        }
        s.items.push_back(item);
        if s.waiting > 0 {
            self.ready.notify_one();
        }
        Ok(())
    }

    /// The reader is done.
    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }

    /// Takes the records that are there, waiting for the first, up to a chunk, and
    /// numbers the chunk in input order; `None` once the reader is done and nothing is
    /// left.
    pub fn take(&self) -> Option<(u64, Vec<T>)> {
        let mut s = self.lock();
        while s.items.is_empty() {
            if s.closed {
                return None;
            }
            s.waiting += 1;
            s = self
                .ready
                .wait(s)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            s.waiting -= 1;
        }
        let n = s.items.len().min(self.chunk);
        let chunk: Vec<T> = s.items.drain(..n).collect();
        let seq = s.next;
        s.next += 1;
        if s.full && s.items.len() <= self.capacity / 2 {
            s.full = false;
            self.room.notify_one();
        }
        Some((seq, chunk))
    }

    /// A mapper stops taking (it is done, or the run is stopping); once none is left,
    /// the reader is not kept waiting.
    pub fn leave(&self) {
        let mut s = self.lock();
        s.takers = s.takers.saturating_sub(1);
        if s.takers == 0 {
            self.room.notify_all();
        }
    }
}

/// Calls [`Queue::leave`] when a mapper's loop ends, however it ends.
pub(super) struct Taker<'q, T>(pub &'q Queue<T>);

impl<T> Drop for Taker<'_, T> {
    fn drop(&mut self) {
        self.0.leave();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_come_in_order_and_hold_every_item() {
        let q = Queue::new(8, 3, 2);
        std::thread::scope(|scope| {
            let taken: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        let _t = Taker(&q);
                        let mut got = Vec::new();
                        while let Some(c) = q.take() {
                            got.push(c);
                        }
                        got
                    })
                })
                .collect();
            for i in 0..1000 {
                assert!(q.put(i).is_ok());
            }
            q.close();
            let mut all: Vec<(u64, Vec<i32>)> = taken
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect();
            all.sort_by_key(|c| c.0);
            assert!(all.iter().enumerate().all(|(i, c)| c.0 == i as u64));
            assert!(all.iter().all(|c| !c.1.is_empty() && c.1.len() <= 3));
            let items: Vec<i32> = all.into_iter().flat_map(|c| c.1).collect();
            assert_eq!(items, (0..1000).collect::<Vec<_>>());
        });
    }

    #[test]
    fn a_reader_is_not_kept_waiting_once_no_mapper_is_left() {
        let q = Queue::new(2, 1, 1);
        assert!(q.put(1).is_ok());
        assert!(q.put(2).is_ok());
        std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(20));
                q.leave();
            });
            assert_eq!(q.put(3), Err(3));
        });
    }
}
