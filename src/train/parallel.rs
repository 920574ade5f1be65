//! A batch's loss and gradient, with its sequences split across threads natively.
//! Sequences are independent, so each thread sums its own gradient buffer and the
//! buffers are added at the end; the result does not depend on the thread count
//! beyond f32 summation order.

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

/// Runs `work` on each contiguous share of `0..batch.size`, in parallel natively.
fn split<T: Send>(
    size: usize,
    threads: usize,
    work: impl Fn(std::ops::Range<usize>) -> T + Sync,
) -> Vec<T> {
    let threads = threads.clamp(1, size.max(1));
    if threads == 1 || cfg!(target_arch = "wasm32") {
        return vec![work(0..size)];
    }
    let share = size.div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                let range = k * share..((k + 1) * share).min(size);
                let work = &work;
                scope.spawn(move || work(range))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a batch worker panicked"))
            .collect()
    })
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
    let mut parts = split(batch.size, threads, |range| {
        let mut local = vec![0.0; parameters];
        let mut score = SequenceScore::default();
        for b in range {
            score.add(model.forward_backward(batch.sequence(b), scale, &mut local));
        }
        (local, score)
    });
    let (first, score) = parts.swap_remove(0);
    grads.copy_from_slice(&first);
    let mut total = score;
    for (local, score) in parts {
        grads.iter_mut().zip(&local).for_each(|(g, l)| *g += l);
        total.add(score);
    }
    total
}

/// The summed score of the batch without gradients, in the model's objective, on the
/// logits of [`Model::forward`] (for the Neural GPU with dependent outputs, greedy
/// decoding: what evaluation measures).
pub fn batch_score(model: &dyn Model, batch: &Batch, threads: usize) -> SequenceScore {
    let objective = model.objective();
    let parts = split(batch.size, threads, |range| {
        let mut score = SequenceScore::default();
        for b in range {
            let s = batch.sequence(b);
            let logits = model.forward(s.input, s.steps);
            score.add(objective.score(
                &logits,
                s.target,
                s.alternative,
                s.mask,
                batch.output_width,
                0.0,
                1.0,
                None,
            ));
        }
        score
    });
    parts
        .into_iter()
        .fold(SequenceScore::default(), |mut total, s| {
            total.add(s);
            total
        })
}
