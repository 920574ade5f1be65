//! Image-sequence tasks of the generative models (generative.md § Image-sequence tasks).
//!
//! Every frame is an 8 × 8 binary image: a glyph instance (one of 48 fixed 5 × 5
//! prototypes placed at an offset, with a few pixels flipped) or an indicator frame.
//! A step of a [`SequenceBuffer`] holds the frame (64 values) and, for `walk`, the
//! one-hot action that led there (4 values) as input; the frame again as target; a mask
//! of 1 (the loss covers every frame); and a recall flag on the frames the task reports.
//!
//! Draws, in order: the length (`l`, the grid side or the period), then frame by frame
//! the class, the offset (x then y) and the flipped pixels; `cued` draws its queried
//! frames before each cue, `walk` its start cell and then each move.

use super::SequenceBuffer;
use crate::rng::Pcg32;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Side of a frame; frames are `FRAME_SIDE²` pixels.
pub const FRAME_SIDE: usize = 8;
pub const FRAME_PIXELS: usize = FRAME_SIDE * FRAME_SIDE;
/// Side of a glyph prototype.
pub const GLYPH_SIDE: usize = 5;
/// Glyph classes: 0..32 train, 32..48 are held out for `oneshot`'s evaluation.
pub const GLYPH_CLASSES: usize = 48;
pub const TRAINING_CLASSES: usize = 32;
/// The seed of the prototypes (generative.md: the arXiv number of the paper).
pub const GLYPH_SEED: u64 = 170_204_649;
/// Actions of `walk`, in the order of their one-hot channels.
pub const ACTIONS: usize = 4;
/// Largest `l` of `index`: its frames' classes index frames, so they stay below `l`.
pub const MAX_INDEX_ITEMS: usize = 10;

/// Which image-sequence task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameTask {
    /// `l` glyphs, then the first `k` again.
    Recall,
    /// `l` glyphs, then EVEN or ODD for the parity of the first `k` glyphs' classes.
    Parity,
    /// As recall; evaluation sequences use held-out classes only.
    Oneshot,
    /// Glyphs whose classes point at earlier frames, followed as a chain.
    Index,
    /// `l` glyphs of distinct classes, then `k` (cue, target) pairs.
    Cued,
    /// A walk over a grid of glyphs, the actions as input.
    Walk,
    /// `P` glyphs repeated with period `P`.
    Periodic,
}

impl FrameTask {
    pub const ALL: [FrameTask; 7] = [
        FrameTask::Recall,
        FrameTask::Parity,
        FrameTask::Oneshot,
        FrameTask::Index,
        FrameTask::Cued,
        FrameTask::Walk,
        FrameTask::Periodic,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FrameTask::Recall => "recall",
            FrameTask::Parity => "parity",
            FrameTask::Oneshot => "oneshot",
            FrameTask::Index => "index",
            FrameTask::Cued => "cued",
            FrameTask::Walk => "walk",
            FrameTask::Periodic => "periodic",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FrameTask::Recall => "Recall",
            FrameTask::Parity => "Parity",
            FrameTask::Oneshot => "One-shot recall",
            FrameTask::Index => "Index",
            FrameTask::Cued => "Cued recall",
            FrameTask::Walk => "Grid walk",
            FrameTask::Periodic => "Periodic",
        }
    }

    /// The tiny defaults of generative.md: `(min_length, max_length, queries)`, where
    /// "length" is `l` (walk: the grid side G; periodic: the period P) and "queries" is
    /// `k` (walk and periodic: the sequence length T).
    pub fn defaults(self) -> (usize, usize, usize) {
        match self {
            FrameTask::Recall | FrameTask::Parity | FrameTask::Oneshot => (10, 10, 5),
            FrameTask::Index => (6, 6, 4),
            FrameTask::Cued => (8, 8, 3),
            FrameTask::Walk => (3, 3, 20),
            FrameTask::Periodic => (2, 8, 20),
        }
    }

    /// Input channels beyond the frame.
    pub fn action_width(self) -> usize {
        if self == FrameTask::Walk {
            ACTIONS
        } else {
            0
        }
    }

    /// Frames in a sequence of length parameter `length`.
    pub fn steps(self, length: usize, queries: usize) -> usize {
        match self {
            FrameTask::Cued => length + 2 * queries,
            FrameTask::Walk | FrameTask::Periodic => queries,
            _ => length + queries,
        }
    }

    /// Checks `(min_length, max_length, queries)`; returns a sentence on failure.
    pub fn check(self, min_length: usize, max_length: usize, queries: usize) -> Result<(), String> {
        let fail = |what: String| Err(format!("task {}: {what}", self.name()));
        match self {
            FrameTask::Recall | FrameTask::Parity | FrameTask::Oneshot | FrameTask::Cued => {
                if queries < 1 || queries > min_length {
                    return fail(format!(
                        "queries k must be between 1 and the shortest l ({min_length}), got {queries}"
                    ));
                }
            }
            FrameTask::Index => {
                if max_length > MAX_INDEX_ITEMS {
                    return fail(format!(
                        "l must be at most {MAX_INDEX_ITEMS}, got {max_length}"
                    ));
                }
                if queries < 1 {
                    return fail("queries k must be at least 1".into());
                }
            }
            FrameTask::Walk => {
                if min_length < 2 {
                    return fail(format!(
                        "the grid side must be at least 2, got {min_length}"
                    ));
                }
                if queries < 2 {
                    return fail(format!("a walk needs at least 2 steps, got {queries}"));
                }
            }
            FrameTask::Periodic => {
                if queries <= max_length {
                    return fail(format!(
                        "the sequence length T ({queries}) must exceed the longest period ({max_length})"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Writes one sequence. `held_out` draws glyphs from the held-out classes (used for
    /// `oneshot`'s evaluation sets).
    pub fn generate(
        self,
        (min_length, max_length): (usize, usize),
        queries: usize,
        flips: usize,
        held_out: bool,
        rng: &mut Pcg32,
        sequence: &mut SequenceBuffer,
    ) {
        let length = rng.range_inclusive(min_length, max_length);
        let classes = if held_out {
            TRAINING_CLASSES..GLYPH_CLASSES
        } else {
            0..TRAINING_CLASSES
        };
        let draw = |rng: &mut Pcg32| {
            let class = rng.range_inclusive(classes.start, classes.end - 1);
            (class, instance(class, flips, rng))
        };
        let mut frames: Vec<Frame> = Vec::new();
        let mut recall: Vec<bool> = Vec::new();
        let mut actions: Vec<Option<usize>> = Vec::new();
        match self {
            FrameTask::Recall | FrameTask::Parity | FrameTask::Oneshot => {
                let mut classes = Vec::with_capacity(length);
                for _ in 0..length {
                    let (class, frame) = draw(rng);
                    classes.push(class);
                    frames.push(frame);
                }
                for j in 0..queries {
                    let frame = match self {
                        FrameTask::Parity if classes[j] % 2 == 0 => indicator(true),
                        FrameTask::Parity => indicator(false),
                        _ => frames[j],
                    };
                    frames.push(frame);
                }
                recall = (0..length + queries).map(|t| t >= length).collect();
            }
            FrameTask::Index => {
                // Classes 0..l index frames 0..l; frame l follows frame l−1's class, and
                // every later frame the class of the frame before it.
                let mut classes = Vec::with_capacity(length + queries);
                for _ in 0..length {
                    let class = rng.range_inclusive(0, length - 1);
                    classes.push(class);
                    frames.push(instance(class, flips, rng));
                }
                for _ in 0..queries {
                    let source = classes[classes.len() - 1];
                    classes.push(classes[source]);
                    frames.push(frames[source]);
                }
                recall = (0..length + queries).map(|t| t >= length).collect();
            }
            FrameTask::Cued => {
                let mut classes: Vec<usize> = Vec::with_capacity(length);
                while classes.len() < length {
                    let (class, frame) = draw(rng);
                    if !classes.contains(&class) {
                        classes.push(class);
                        frames.push(frame);
                    }
                }
                let mut asked: Vec<usize> = Vec::with_capacity(queries);
                while asked.len() < queries {
                    let j = rng.range_inclusive(0, length - 1);
                    if asked.contains(&j) {
                        continue;
                    }
                    asked.push(j);
                    let cue = loop {
                        let cue = instance(classes[j], flips, rng);
                        if cue != frames[j] {
                            break cue;
                        }
                    };
                    frames.push(cue);
                    frames.push(frames[j]);
                }
                recall = (0..length + 2 * queries)
                    .map(|t| t >= length && (t - length) % 2 == 1)
                    .collect();
            }
            FrameTask::Walk => {
                let side = length;
                let grid: Vec<Frame> = (0..side * side).map(|_| draw(rng).1).collect();
                let mut cell = rng.range_inclusive(0, side * side - 1);
                let mut seen = vec![false; side * side];
                for t in 0..queries {
                    if t > 0 {
                        let moves = legal_moves(cell, side);
                        let action = moves[rng.range_inclusive(0, moves.len() - 1)];
                        cell = apply_move(cell, side, action);
                        actions.push(Some(action));
                    } else {
                        actions.push(None);
                    }
                    frames.push(grid[cell]);
                    recall.push(seen[cell]);
                    seen[cell] = true;
                }
            }
            FrameTask::Periodic => {
                let period = length;
                for t in 0..queries {
                    let frame = if t < period {
                        draw(rng).1
                    } else {
                        frames[t - period]
                    };
                    frames.push(frame);
                    recall.push(t >= period);
                }
            }
        }
        let action_width = self.action_width();
        for (t, frame) in frames.iter().enumerate() {
            let step = sequence.push_blank(1);
            let row = sequence.input_row(step);
            for (v, &p) in row.iter_mut().zip(frame.iter()) {
                *v = p as f32;
            }
            if let Some(Some(action)) = actions.get(t) {
                row[FRAME_PIXELS + action] = 1.0;
            }
            debug_assert_eq!(row.len(), FRAME_PIXELS + action_width);
            let target = sequence.target_row(step);
            for (v, &p) in target.iter_mut().zip(frame.iter()) {
                *v = p as f32;
            }
            sequence.mask[step] = 1.0;
            sequence.recall.push(if recall[t] { 1.0 } else { 0.0 });
        }
    }
}

/// One 8 × 8 binary frame, row-major.
pub type Frame = [u8; FRAME_PIXELS];

/// The 48 prototypes (generative.md, "Glyphs"): from `GLYPH_SEED`, a draw is 25 fair
/// bits (bit p is pixel (p / 5, p % 5)), accepted if 8 to 17 are set and it differs from
/// every accepted prototype in at least 6 pixels.
pub fn prototypes() -> &'static [[u8; GLYPH_SIDE * GLYPH_SIDE]; GLYPH_CLASSES] {
    static PROTOTYPES: OnceLock<[[u8; GLYPH_SIDE * GLYPH_SIDE]; GLYPH_CLASSES]> = OnceLock::new();
    PROTOTYPES.get_or_init(|| {
        let mut rng = Pcg32::new(GLYPH_SEED);
        let mut accepted = [[0u8; GLYPH_SIDE * GLYPH_SIDE]; GLYPH_CLASSES];
        let mut count = 0;
        while count < GLYPH_CLASSES {
            let mut glyph = [0u8; GLYPH_SIDE * GLYPH_SIDE];
            for pixel in glyph.iter_mut() {
                *pixel = rng.bit() as u8;
            }
            let set = glyph.iter().filter(|&&p| p == 1).count();
            let distinct = accepted[..count]
                .iter()
                .all(|other| other.iter().zip(&glyph).filter(|(a, b)| a != b).count() >= 6);
            if (8..=17).contains(&set) && distinct {
                accepted[count] = glyph;
                count += 1;
            }
        }
        accepted
    })
}

/// An instance of `class`: its prototype at offset (x, y) ∈ {0..3}², then `flips`
/// distinct pixels of the frame inverted.
pub fn instance(class: usize, flips: usize, rng: &mut Pcg32) -> Frame {
    let prototype = &prototypes()[class];
    let room = FRAME_SIDE - GLYPH_SIDE;
    let dx = rng.range_inclusive(0, room);
    let dy = rng.range_inclusive(0, room);
    let mut frame = [0u8; FRAME_PIXELS];
    for r in 0..GLYPH_SIDE {
        for c in 0..GLYPH_SIDE {
            frame[(r + dy) * FRAME_SIDE + c + dx] = prototype[r * GLYPH_SIDE + c];
        }
    }
    let mut flipped: Vec<usize> = Vec::with_capacity(flips);
    while flipped.len() < flips {
        let pixel = rng.range_inclusive(0, FRAME_PIXELS - 1);
        if !flipped.contains(&pixel) {
            flipped.push(pixel);
            frame[pixel] ^= 1;
        }
    }
    frame
}

/// EVEN (rows 3–4 set) or ODD (columns 3–4 set).
pub fn indicator(even: bool) -> Frame {
    let mut frame = [0u8; FRAME_PIXELS];
    for r in 0..FRAME_SIDE {
        for c in 0..FRAME_SIDE {
            let on = if even {
                (3..=4).contains(&r)
            } else {
                (3..=4).contains(&c)
            };
            frame[r * FRAME_SIDE + c] = on as u8;
        }
    }
    frame
}

/// Moves: up, down, left, right (the action channels' order).
fn legal_moves(cell: usize, side: usize) -> Vec<usize> {
    let (row, column) = (cell / side, cell % side);
    let allowed = [row > 0, row + 1 < side, column > 0, column + 1 < side];
    (0..ACTIONS).filter(|&a| allowed[a]).collect()
}

fn apply_move(cell: usize, side: usize, action: usize) -> usize {
    match action {
        0 => cell - side,
        1 => cell + side,
        2 => cell - 1,
        _ => cell + 1,
    }
}

/// Largest flips: more than a few would drown the glyph.
pub const MAX_FLIPS: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prototypes_follow_the_acceptance_rule() {
        let glyphs = prototypes();
        for (i, g) in glyphs.iter().enumerate() {
            let set = g.iter().filter(|&&p| p == 1).count();
            assert!((8..=17).contains(&set), "{i}: {set}");
            for other in &glyphs[..i] {
                assert!(other.iter().zip(g).filter(|(a, b)| a != b).count() >= 6);
            }
        }
    }

    #[test]
    fn indicator_frames_are_rows_and_columns() {
        assert_eq!(indicator(true).iter().filter(|&&p| p == 1).count(), 16);
        assert_eq!(indicator(false)[3], 1);
        assert_eq!(indicator(true)[3 * FRAME_SIDE], 1);
        assert_eq!(indicator(true)[3], 0);
    }
}
