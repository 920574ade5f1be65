//! The Neural GPU family's tasks, checkpoints across families, and what training
//! reports and feeds its decoder (greedy errors, scheduled sampling).
use crate::common;

use common::neural_gpu::config;
use engram::models::neural_gpu::{NeuralGpu, NeuralGpuConfig};
use engram::models::SequenceRef;
use engram::nn::ParamStore;
use engram::ops::loss::argmax;
use engram::tasks::{SymbolTask, TaskConfig};
use engram::train::Checkpoint;
use engram::{Model, ModelConfig, ModelKind};

#[test]
fn symbol_tasks_lay_out_inputs_and_targets_as_the_spec_says() {
    let decode = |rows: &[f32], width: usize| -> Vec<usize> {
        rows.chunks_exact(width).map(argmax).collect()
    };
    let task = |task, alphabet, length| TaskConfig::Symbols {
        task,
        alphabet,
        min_length: length,
        max_length: length,
    };
    // Reverse: n_b = L, target reversed.
    let reverse = task(SymbolTask::Reverse, 4, 6);
    let batch = reverse.batch(3, 5);
    for b in 0..3 {
        let s = batch.sequence(b);
        assert_eq!(s.steps, 6);
        let (x, mut y) = (decode(s.input, 5), decode(s.target, 5));
        y.reverse();
        assert_eq!(x, y);
        assert!(x.iter().all(|&v| (1..=4).contains(&v)));
        assert!(s.mask.iter().all(|&m| m == 1.0));
    }
    // Addition: a + b lsb first, then the sum of L+1 bits, padded to 2L+1.
    let add = task(SymbolTask::Add, 4, 5);
    let batch = add.batch(20, 9);
    let value = |bits: &[usize]| bits.iter().rev().fold(0u64, |v, &s| v * 2 + (s as u64 - 1));
    for b in 0..20 {
        let s = batch.sequence(b);
        assert_eq!(s.steps, 11);
        let (x, y) = (decode(s.input, 4), decode(s.target, 4));
        assert_eq!(x[5], 3, "the + sign");
        assert_eq!(value(&y[..6]), value(&x[..5]) + value(&x[6..]));
        assert!(y[6..].iter().all(|&v| v == 0), "pad after the answer");
    }
    // Long-carry addition: the carry runs through every column (each column's bits sum
    // to 1 above the lowest, whose sum is 2), so the sum is always 2^L; the operands vary.
    let long_carry = add.with_inputs("long-carry").unwrap();
    let batch = long_carry.batch(20, 9);
    let mut operands = std::collections::HashSet::new();
    for b in 0..20 {
        let s = batch.sequence(b);
        assert_eq!(s.steps, 11);
        let (x, y) = (decode(s.input, 4), decode(s.target, 4));
        assert_eq!(x[5], 3, "the + sign");
        assert_eq!((x[0], x[6]), (2, 2), "both lowest bits are 1");
        assert!(
            (1..5).all(|i| x[i] + x[6 + i] == 3),
            "one operand holds each bit: {x:?}"
        );
        assert_eq!(value(&y[..6]), 1 << 5);
        assert_eq!(value(&y[..6]), value(&x[..5]) + value(&x[6..]));
        operands.insert(x);
    }
    assert!(
        operands.len() > 10,
        "{} distinct operand pairs",
        operands.len()
    );
    assert_eq!(add.with_inputs("random").unwrap(), add);
    let refused = reverse.with_inputs("long-carry").unwrap_err().to_string();
    assert!(
        refused.contains("binary addition") && refused.contains("reverse"),
        "{refused}"
    );
    let refused = add.with_inputs("carry").unwrap_err().to_string();
    assert!(refused.contains("random or long-carry"), "{refused}");
    // Multiplication: 2L product bits.
    let mul = task(SymbolTask::Mul, 4, 4);
    let batch = mul.batch(20, 3);
    for b in 0..20 {
        let s = batch.sequence(b);
        let (x, y) = (decode(s.input, 5), decode(s.target, 5));
        assert_eq!(x[4], 4, "the × sign");
        assert_eq!(value(&y[..8]), value(&x[..4]) * value(&x[5..]));
        assert_eq!(y[8], 0);
    }
    // Dup: the input twice, n_b = 2L, the input padded.
    let batch = task(SymbolTask::Dup, 3, 4).batch(2, 1);
    let s = batch.sequence(0);
    let (x, y) = (decode(s.input, 4), decode(s.target, 4));
    assert_eq!(&y[..4], &x[..4]);
    assert_eq!(&y[4..], &x[..4]);
    assert!(x[4..].iter().all(|&v| v == 0));
    // Sort: the input's symbols, ascending.
    let batch = task(SymbolTask::Sort, 5, 7).batch(8, 1);
    for b in 0..8 {
        let s = batch.sequence(b);
        let symbols = |v: Vec<usize>| v.into_iter().filter(|&v| v != 0).collect::<Vec<_>>();
        let (x, y) = (symbols(decode(s.input, 6)), symbols(decode(s.target, 6)));
        let mut expected = x.clone();
        expected.sort();
        assert!(!x.is_empty());
        assert_eq!(y, expected);
    }
    // Either: the target is the input or its reverse, the other answer kept too, and
    // both coins come up.
    let batch = task(SymbolTask::Either, 4, 6).batch(64, 2);
    let mut reversed = 0;
    for b in 0..64 {
        let s = batch.sequence(b);
        let x = decode(s.input, 5);
        let (y, other) = (decode(s.target, 5), decode(s.alternative.unwrap(), 5));
        let mut backwards = x.clone();
        backwards.reverse();
        assert!((y == x && other == backwards) || (y == backwards && other == x));
        reversed += usize::from(y == backwards && x != backwards);
    }
    assert!((16..=48).contains(&reversed), "{reversed} of 64 reversed");
    // Seeded and portable: the same seed, the same batch.
    assert_eq!(reverse.batch(4, 77), reverse.batch(4, 77));
    assert_ne!(reverse.batch(4, 77), reverse.batch(4, 78));
}

#[test]
fn a_checkpoint_of_one_family_is_refused_by_another_with_a_clear_error() {
    let image = NeuralGpuConfig::default();
    let task = TaskConfig::symbols_by_name("reverse").unwrap();
    let config = config(
        ModelKind::NeuralGpu,
        task.input_width(),
        task.output_width(),
        image,
    );
    let model = NeuralGpu::new(config, 3);
    let bytes = Checkpoint::to_bytes(&model, &task, 12).unwrap();
    let loaded = Checkpoint::from_bytes(&bytes).unwrap();
    assert_eq!(loaded.model.params().values(), model.params().values());
    assert_eq!(loaded.model.config(), model.config());
    assert_eq!(loaded.task, task);
    // The same tensors under another model's config.
    for claimed in [ModelKind::NeuralGpuDep, ModelKind::Ntm] {
        let mut config = model.config().clone();
        config.model = claimed;
        if !claimed.is_neural_gpu() {
            (config.image, config.hidden, config.layers) = (None, 8, 1);
            (config.memory_slots, config.memory_width, config.read_heads) = (4, 4, 1);
        }
        let impostor = Impostor {
            config,
            inner: &model,
        };
        let bytes = Checkpoint::to_bytes(&impostor, &task, 12).unwrap();
        let error = match Checkpoint::from_bytes(&bytes) {
            Ok(_) => panic!("a {claimed} checkpoint holding neural_gpu tensors was accepted"),
            Err(e) => e.to_string(),
        };
        println!("{claimed}: {error}");
        assert!(error.starts_with("checkpoint rejected"), "{error}");
    }
}

/// A model that claims another's config over its parameters.
struct Impostor<'a> {
    config: ModelConfig,
    inner: &'a NeuralGpu,
}

impl Model for Impostor<'_> {
    fn config(&self) -> &ModelConfig {
        &self.config
    }
    fn params(&self) -> &ParamStore {
        self.inner.params()
    }
    fn params_mut(&mut self) -> &mut ParamStore {
        unreachable!("a checkpoint only reads")
    }
    fn sequence_floats(&self, steps: usize) -> usize {
        self.inner.sequence_floats(steps)
    }
    fn forward(&self, input: &[f32], steps: usize) -> Vec<f32> {
        self.inner.forward(input, steps)
    }
    fn forward_backward(
        &self,
        sequence: SequenceRef<'_>,
        scale: f32,
        grads: &mut [f32],
    ) -> engram::ops::loss::SequenceScore {
        self.inner.forward_backward(sequence, scale, grads)
    }
    fn trace(&self, input: &[f32], steps: usize) -> (Vec<f32>, Vec<engram::models::StepTrace>) {
        self.inner.trace(input, steps)
    }
}

#[test]
fn a_checkpoint_pairing_a_neural_gpu_with_a_bit_task_is_refused() {
    let task = TaskConfig::by_name("copy").unwrap();
    let config = config(ModelKind::NeuralGpu, 9, 8, NeuralGpuConfig::default());
    let model = NeuralGpu::new(config, 1);
    let bytes = Checkpoint::to_bytes(&model, &task, 0).unwrap();
    let error = Checkpoint::from_bytes(&bytes)
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("does not train on the task copy"), "{error}");
}

#[test]
fn the_decoder_reports_the_errors_of_its_greedy_decoding() {
    // Copy-or-reverse: teacher forcing pulls a wrong guess back to the drawn answer, so
    // its errors would never reach zero; training reports what evaluation measures.
    let task = TaskConfig::Symbols {
        task: SymbolTask::Either,
        alphabet: 3,
        min_length: 5,
        max_length: 5,
    };
    let image = NeuralGpuConfig {
        maps: 6,
        ..NeuralGpuConfig::default()
    };
    let config = config(
        ModelKind::NeuralGpuDep,
        task.input_width(),
        task.output_width(),
        image,
    );
    let model = NeuralGpu::new(config, 4);
    let batch = task.batch(8, 3);
    let objective = model.objective();
    for b in 0..batch.size {
        let sequence = batch.sequence(b);
        let mut grads = vec![0.0; model.params().len()];
        let trained = model.forward_backward(sequence, 1.0, &mut grads);
        let greedy = model.forward(sequence.input, sequence.steps);
        let evaluated = objective.score(
            &greedy,
            sequence.target,
            sequence.alternative,
            sequence.mask,
            task.output_width(),
            0.0,
            1.0,
            None,
        );
        assert_eq!(
            (trained.errors, trained.wrong_sequences),
            (evaluated.errors, evaluated.wrong_sequences)
        );
        // The loss stays the teacher-forced one, whose gradient this is.
        let forced = model.teacher_forced_logits(sequence.input, sequence.target, sequence.steps);
        let loss = objective
            .score(
                &forced,
                sequence.target,
                None,
                sequence.mask,
                task.output_width(),
                0.0,
                1.0,
                None,
            )
            .loss_nats;
        assert!((trained.loss_nats - loss).abs() < 1e-9);
    }
}

#[test]
fn scheduled_sampling_feeds_the_decoder_its_own_samples_from_host_seeds() {
    let task = TaskConfig::symbols_by_name("reverse").unwrap().at_length(6);
    let batch = task.batch(2, 9);
    let run = |rate: f32, noise: u64| {
        let image = NeuralGpuConfig {
            maps: 5,
            sampling_rate: rate,
            ..NeuralGpuConfig::default()
        };
        let config = config(
            ModelKind::NeuralGpuDep,
            task.input_width(),
            task.output_width(),
            image,
        );
        let model = NeuralGpu::new(config, 2);
        let sequence = SequenceRef {
            noise_seed: noise,
            ..batch.sequence(0)
        };
        let mut grads = vec![0.0; model.params().len()];
        let loss = model.forward_backward(sequence, 1.0, &mut grads).loss_nats;
        let forced = model.teacher_forced_logits(sequence.input, sequence.target, sequence.steps);
        let teacher = model
            .objective()
            .score(
                &forced,
                sequence.target,
                None,
                sequence.mask,
                task.output_width(),
                0.0,
                1.0,
                None,
            )
            .loss_nats;
        (loss, teacher, grads)
    };
    // Rate 0 is teacher forcing.
    let (loss, teacher, _) = run(0.0, 1);
    assert!((loss - teacher).abs() < 1e-9);
    // Rate 1 feeds samples at every step: another loss, the same for the same seeds, and
    // a gradient that still reaches every tensor.
    let (sampled, _, grads) = run(1.0, 1);
    assert_ne!(sampled, teacher);
    assert_eq!(run(1.0, 1).0, sampled);
    assert!(grads.iter().all(|g| g.is_finite()) && grads.iter().any(|&g| g != 0.0));
    let others: Vec<f64> = (2..8).map(|noise| run(1.0, noise).0).collect();
    assert!(
        others.iter().any(|&l| l != sampled),
        "the samples come from the noise seed"
    );
}
