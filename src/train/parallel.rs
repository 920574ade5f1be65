//! A batch's loss and gradient, with its sequences split across threads natively.
//!
//! The sums do not depend on the thread count: the batch is cut into chunks fixed by its
//! size alone ([`chunk_ranges`]), each chunk sums its sequences in order, and the
//! chunks' sums are added in chunk order. Threads only change which chunks run at the
//! same time, so the same seed gives the same bits on any number of cores.

use crate::models::Model;
use crate::ops::loss::SequenceScore;
use crate::tasks::Batch;

/// One thread per available core natively; one in the browser.
pub fn default_threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
    #[cfg(target_arch = "wasm32")]
    {
        1
    }
}

/// The most chunks a batch is cut into: the most threads a batch can keep busy, and the
/// most per-chunk gradient buffers alive at once.
const MAX_CHUNKS: usize = 8;

/// The chunks of a batch of `size` sequences: contiguous runs of `⌈size / 8⌉`.
fn chunk_ranges(size: usize) -> Vec<std::ops::Range<usize>> {
    let chunk = size.div_ceil(MAX_CHUNKS).max(1);
    (0..size)
        .step_by(chunk)
        .map(|start| start..(start + chunk).min(size))
        .collect()
}

/// How many chunks a batch of `size` sequences is cut into (the most per-chunk gradient
/// buffers alive at once).
pub fn chunk_count(size: usize) -> usize {
    chunk_ranges(size).len()
}

/// The threads a batch of `size` sequences can keep busy when `threads` are offered
/// (one per chunk at most).
pub fn threads_used(size: usize, threads: usize) -> usize {
    threads.clamp(1, chunk_ranges(size).len().max(1))
}

/// Runs `work` on every chunk of `0..size` and hands the results to `fold` in chunk
/// order. Natively the calling thread and `threads − 1` workers take the chunks as they
/// come free; the calling thread folds each result once those before it are in (a result
/// that arrives early waits), between chunks of its own and after the last.
fn for_each_chunk<T: Send>(
    size: usize,
    threads: usize,
    work: impl Fn(std::ops::Range<usize>) -> T + Sync,
    mut fold: impl FnMut(T),
) {
    let ranges = chunk_ranges(size);
    let threads = threads_used(size, threads);
    if threads == 1 || cfg!(target_arch = "wasm32") {
        ranges.into_iter().map(work).for_each(fold);
        return;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let take = || {
        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ranges.get(k).map(|range| (k, range.clone()))
    };
    let (sender, receiver) = std::sync::mpsc::channel::<(usize, T)>();
    let mut waiting = std::collections::BTreeMap::new();
    let mut expected = 0;
    let mut arrived = |k: usize, result: T| {
        waiting.insert(k, result);
        while let Some(result) = waiting.remove(&expected) {
            fold(result);
            expected += 1;
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            let (sender, take, work) = (sender.clone(), &take, &work);
            scope.spawn(move || {
                while let Some((k, range)) = take() {
                    if sender.send((k, work(range))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        while let Some((k, range)) = take() {
            let result = work(range);
            arrived(k, result);
            while let Ok((k, result)) = receiver.try_recv() {
                arrived(k, result);
            }
        }
        for (k, result) in receiver {
            arrived(k, result);
        }
    });
}

/// Writes the gradient of the batch-mean loss into `grads` (overwritten) and returns
/// the summed score over the batch.
pub fn batch_gradient(
    model: &dyn Model,
    batch: &Batch,
    threads: usize,
    grads: &mut [f32],
) -> SequenceScore {
    let scale = 1.0 / batch.size as f32;
    let parameters = model.params().len();
    grads.fill(0.0);
    let mut total = SequenceScore::default();
    let mut first = true;
    // Chunk buffers come back here once folded, so a step allocates about one per
    // thread, not one per chunk.
    let spare = std::sync::Mutex::new(Vec::<Vec<f32>>::new());
    for_each_chunk(
        batch.size,
        threads,
        |range| {
            let recycled = spare.lock().expect("the buffer pool").pop();
            let mut local = recycled.unwrap_or_else(|| vec![0.0; parameters]);
            local.fill(0.0);
            let mut score = SequenceScore::default();
            for b in range {
                score.add(model.forward_backward(batch.sequence(b), scale, &mut local));
            }
            (local, score)
        },
        |(local, score)| {
            if first {
                grads.copy_from_slice(&local);
                first = false;
            } else {
                grads.iter_mut().zip(&local).for_each(|(g, l)| *g += l);
            }
            total.add(score);
            spare.lock().expect("the buffer pool").push(local);
        },
    );
    total
}

/// The summed score of the batch without gradients, in the model's objective
/// ([`Model::score`]: what evaluation measures).
pub fn batch_score(model: &dyn Model, batch: &Batch, threads: usize) -> SequenceScore {
    let mut total = SequenceScore::default();
    for_each_chunk(
        batch.size,
        threads,
        |range| {
            let mut score = SequenceScore::default();
            for b in range {
                score.add(model.score(batch.sequence(b)));
            }
            score
        },
        |score| total.add(score),
    );
    total
}
