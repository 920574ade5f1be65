//! The image-sequence tasks (generative.md § Image-sequence tasks): each generator's
//! sequences have the structure its table row describes, checked by decoding every
//! glyph back to its class (prototypes differ in ≥ 6 pixels, instances flip 2).

use engram::tasks::{
    indicator, prototypes, Batch, TaskConfig, FRAME_PIXELS, FRAME_SIDE, FRAME_TASK_NAMES,
    TRAINING_CLASSES,
};

const SIDE: usize = FRAME_SIDE;

fn frame(batch: &Batch, b: usize, t: usize) -> Vec<u8> {
    let row = (b * batch.steps + t) * batch.input_width;
    batch.input[row..row + FRAME_PIXELS]
        .iter()
        .map(|&v| v as u8)
        .collect()
}

fn recall(batch: &Batch, b: usize, t: usize) -> bool {
    batch.recall.as_ref().unwrap()[b * batch.steps + t] == 1.0
}

/// The class of a glyph instance with at most `flips` flipped pixels.
fn class_of(frame: &[u8], flips: usize) -> usize {
    let mut found = None;
    for (class, prototype) in prototypes().iter().enumerate() {
        for dy in 0..=3 {
            for dx in 0..=3 {
                let mut placed = [0u8; FRAME_PIXELS];
                for r in 0..5 {
                    for c in 0..5 {
                        placed[(r + dy) * SIDE + c + dx] = prototype[r * 5 + c];
                    }
                }
                let distance = placed.iter().zip(frame).filter(|(a, b)| a != b).count();
                if distance <= flips {
                    assert!(found.is_none_or(|f| f == class), "ambiguous frame");
                    found = Some(class);
                }
            }
        }
    }
    found.expect("every frame is an instance of a class")
}

fn task(name: &str) -> TaskConfig {
    TaskConfig::frames_by_name(name).unwrap()
}

#[test]
fn every_task_is_seeded_binary_and_fully_scored() {
    for name in FRAME_TASK_NAMES {
        let task = task(name);
        task.validate().unwrap();
        let batch = task.batch(8, 5);
        assert_eq!(batch, task.batch(8, 5), "{name}: same seed, same batch");
        assert_ne!(batch.input, task.batch(8, 6).input, "{name}");
        assert_eq!(batch.output_width, FRAME_PIXELS);
        assert_eq!(
            batch.input_width,
            FRAME_PIXELS + if name == "walk" { 4 } else { 0 }
        );
        assert!(batch.input.iter().all(|&v| v == 0.0 || v == 1.0));
        for b in 0..8 {
            let steps = batch.lengths[b];
            assert_eq!(steps, task.max_steps(), "{name}: fixed length");
            for t in 0..steps {
                assert_eq!(
                    batch.mask[b * batch.steps + t],
                    1.0,
                    "{name}: every frame scored"
                );
                let target = &batch.target[(b * batch.steps + t) * FRAME_PIXELS..][..FRAME_PIXELS];
                let shown: Vec<f32> = frame(&batch, b, t).iter().map(|&v| v as f32).collect();
                assert_eq!(target, &shown[..], "{name}: the target is the frame");
            }
            assert!(
                (0..steps).any(|t| recall(&batch, b, t)),
                "{name}: a recall set"
            );
        }
    }
}

#[test]
fn recall_parity_and_oneshot_repeat_or_summarise_the_first_frames() {
    let (l, k) = (10, 5);
    for name in ["recall", "parity", "oneshot"] {
        let batch = task(name).batch(16, 1);
        for b in 0..16 {
            for t in 0..l + k {
                assert_eq!(recall(&batch, b, t), t >= l);
            }
            for j in 0..k {
                let (first, later) = (frame(&batch, b, j), frame(&batch, b, l + j));
                let class = class_of(&first, 2);
                assert!(
                    class < TRAINING_CLASSES,
                    "training sequences use training classes"
                );
                match name {
                    "parity" => assert_eq!(later, indicator(class.is_multiple_of(2)).to_vec()),
                    _ => assert_eq!(later, first),
                }
            }
        }
    }
    // One-shot evaluation draws held-out classes only; other tasks are unchanged.
    let held_out = task("oneshot").for_evaluation().batch(16, 1);
    for b in 0..16 {
        for t in 0..l {
            assert!(class_of(&frame(&held_out, b, t), 2) >= TRAINING_CLASSES);
        }
    }
    assert_eq!(task("recall").for_evaluation(), task("recall"));
}

#[test]
fn index_follows_the_chain_of_classes() {
    let (l, k) = (6, 4);
    let batch = task("index").batch(16, 2);
    for b in 0..16 {
        let mut classes: Vec<usize> = (0..l).map(|t| class_of(&frame(&batch, b, t), 2)).collect();
        assert!(classes.iter().all(|&c| c < l));
        for i in 0..k {
            let source = classes[l + i - 1];
            let frame_now = frame(&batch, b, l + i);
            assert_eq!(
                frame_now,
                frame(&batch, b, source),
                "frame {} copies frame {source}",
                l + i
            );
            classes.push(classes[source]);
            assert!(recall(&batch, b, l + i));
        }
    }
}

#[test]
fn cued_pairs_a_fresh_cue_with_its_original() {
    let (l, k) = (8, 3);
    let batch = task("cued").batch(16, 3);
    for b in 0..16 {
        let originals: Vec<Vec<u8>> = (0..l).map(|t| frame(&batch, b, t)).collect();
        let classes: Vec<usize> = originals.iter().map(|f| class_of(f, 2)).collect();
        let mut distinct = classes.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), l, "distinct classes");
        let mut asked = Vec::new();
        for i in 0..k {
            let (cue, target) = (frame(&batch, b, l + 2 * i), frame(&batch, b, l + 2 * i + 1));
            let j = originals.iter().position(|f| *f == target).expect("a copy");
            assert_eq!(class_of(&cue, 2), classes[j]);
            assert_ne!(cue, target, "the cue is a fresh instance");
            asked.push(j);
            assert!(!recall(&batch, b, l + 2 * i) && recall(&batch, b, l + 2 * i + 1));
        }
        asked.sort();
        asked.dedup();
        assert_eq!(asked.len(), k, "distinct queried frames");
    }
}

#[test]
fn walk_frames_belong_to_cells_and_recall_flags_revisits() {
    let task = task("walk");
    let batch = task.batch(16, 4);
    let side = 3i64;
    for b in 0..16 {
        // Positions relative to the start, from the actions (up, down, left, right).
        let mut position = (0i64, 0i64);
        let mut seen: Vec<((i64, i64), Vec<u8>)> = Vec::new();
        let (mut min_row, mut max_row, mut min_col, mut max_col) = (0, 0, 0, 0);
        for t in 0..batch.lengths[b] {
            let row = (b * batch.steps + t) * batch.input_width;
            let actions = &batch.input[row + FRAME_PIXELS..row + FRAME_PIXELS + 4];
            let taken: Vec<usize> = (0..4).filter(|&a| actions[a] == 1.0).collect();
            if t == 0 {
                assert!(taken.is_empty(), "u_0 = 0");
            } else {
                assert_eq!(taken.len(), 1, "one action per step");
                position = match taken[0] {
                    0 => (position.0 - 1, position.1),
                    1 => (position.0 + 1, position.1),
                    2 => (position.0, position.1 - 1),
                    _ => (position.0, position.1 + 1),
                };
            }
            (min_row, max_row) = (min_row.min(position.0), max_row.max(position.0));
            (min_col, max_col) = (min_col.min(position.1), max_col.max(position.1));
            assert!(
                max_row - min_row < side && max_col - min_col < side,
                "stays on the grid"
            );
            let now = frame(&batch, b, t);
            match seen.iter().find(|(p, _)| *p == position) {
                Some((_, before)) => {
                    assert_eq!(&now, before, "a cell shows the same glyph");
                    assert!(recall(&batch, b, t));
                }
                None => {
                    assert!(!recall(&batch, b, t));
                    seen.push((position, now));
                }
            }
        }
    }
}

#[test]
fn periodic_repeats_with_its_period() {
    let batch = task("periodic").batch(16, 5);
    for b in 0..16 {
        let period = (0..batch.lengths[b])
            .find(|&t| recall(&batch, b, t))
            .unwrap();
        assert!((2..=8).contains(&period));
        for t in period..batch.lengths[b] {
            assert!(recall(&batch, b, t));
            assert_eq!(frame(&batch, b, t), frame(&batch, b, t - period));
        }
    }
}

#[test]
fn bad_task_settings_are_refused_with_their_name() {
    let recall = task("recall");
    let too_many = serde_json::from_str::<TaskConfig>(
        r#"{"name":"frames","task":"recall","min_length":4,"max_length":4,"queries":5,"flips":2}"#,
    )
    .unwrap();
    assert!(too_many
        .validate()
        .unwrap_err()
        .to_string()
        .contains("queries"));
    let index = task("index").with_max_length(11);
    assert!(index
        .validate()
        .unwrap_err()
        .to_string()
        .contains("at most 10"));
    let periodic = serde_json::from_str::<TaskConfig>(
        r#"{"name":"frames","task":"periodic","min_length":2,"max_length":8,"queries":8,"flips":2}"#,
    )
    .unwrap();
    assert!(periodic
        .validate()
        .unwrap_err()
        .to_string()
        .contains("exceed"));
    assert!(recall
        .with_bits(17)
        .validate()
        .unwrap_err()
        .to_string()
        .contains("flips"));
    assert!(serde_json::from_str::<TaskConfig>(r#"{"name":"frames","task":"nope"}"#).is_err());
}
