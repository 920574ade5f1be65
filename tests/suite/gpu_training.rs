//! Training the memory models through the trainer on the GPU: runs that follow the CPU,
//! `auto`'s choice, a lost device and exploding parameters falling back to the CPU, the
//! learning rate and every step kept across backend switches, and the same bits from
//! the same seed.
//!
//! Like tests/suite/gpu.rs, these run on whatever adapter wgpu finds (lavapipe in CI) and are
//! `#[ignore]`d unless the test command passes `--include-ignored`.

// Native only: the blocking training API (`Trainer::step`) has no browser equivalent.
#![cfg(not(target_arch = "wasm32"))]
use crate::common;

use common::gpu::{copy_task, gpu_models, largest_difference, small};
use engram::train::{BackendChoice, TrainConfig, Trainer};
use engram::{build, EngramError, ModelKind};
use pollster::block_on;
use std::rc::Rc;

fn train_config(model: ModelKind) -> TrainConfig {
    let task = copy_task();
    let mut config = TrainConfig::preset(model, task.clone());
    let sizes = small(model, &task);
    let architecture = &mut config.architecture;
    architecture.hidden = sizes.hidden;
    architecture.layers = 1;
    architecture.memory_slots = sizes.memory_slots;
    architecture.memory_width = sizes.memory_width;
    architecture.read_heads = 1;
    config.batch_size = 4;
    config.threads = 1;
    config
}

/// A trainer on the GPU the tests found, whatever kind of adapter it is.
fn gpu_trainer(config: TrainConfig) -> Trainer {
    let mut trainer = Trainer::new(config).unwrap();
    trainer.select_backend_blocking(BackendChoice::Gpu).unwrap();
    assert_eq!(trainer.backend().kind, "gpu");
    trainer
}

gpu_test! {
    /// Ten training steps on the GPU follow the CPU's run: the same batches, metrics to
    /// within float noise, and parameters close at the end.
    fn training_on_the_gpu_follows_the_cpu(_context) {
        for model in [ModelKind::Ntm, ModelKind::Lru] {
            let mut on_gpu = gpu_trainer(train_config(model));
            let mut on_cpu = Trainer::new(train_config(model)).unwrap();
            for _ in 0..10 {
                let g = on_gpu.step().unwrap();
                let c = on_cpu.step().unwrap();
                assert_eq!(g.step, c.step);
                assert!((g.metrics.bits_per_sequence - c.metrics.bits_per_sequence).abs() < 1e-3 * c.metrics.bits_per_sequence, "{g:?} vs {c:?}");
            }
            assert!(!on_gpu.model_is_current());
            on_gpu.sync_blocking().unwrap();
            assert!(on_gpu.model_is_current());
            let (difference, at) = largest_difference(on_cpu.model(), on_cpu.model().params().values(), on_gpu.model().params().values());
            eprintln!("{model}: after 10 steps, largest parameter difference {difference:.2e} ({at})");
            assert!(difference < 1e-3, "{difference} at {at}");
        }
    }
}

gpu_test! {
    /// `auto` chooses by measuring: given a GPU that trains slower than the CPU (lavapipe
    /// here, against a small model on the CPU), it keeps the CPU with both rates and the
    /// reason, and nothing learned changes: the run goes on bit for bit as an all-CPU run.
    fn auto_keeps_the_cpu_when_it_measures_the_gpu_slower(context) {
        let config = train_config(ModelKind::Ntm);
        let mut measured = Trainer::new(config.clone()).unwrap();
        let mut plain = Trainer::new(config).unwrap();
        for _ in 0..3 {
            measured.step().unwrap();
            plain.step().unwrap();
        }
        block_on(measured.choose_by_measuring(Rc::clone(&context))).unwrap();
        let status = measured.backend();
        eprintln!("{status:?}");
        let rates = status.rates.expect("both rates measured");
        assert_eq!(status.kind, "cpu");
        assert!(rates.gpu < rates.cpu, "{rates:?}");
        let reason = status.fallback.expect("the reason");
        assert!(reason.contains("the CPU trains faster here"), "{reason}");
        for _ in 0..3 {
            measured.step().unwrap();
            plain.step().unwrap();
        }
        assert_eq!(measured.steps_done(), plain.steps_done());
        assert_eq!(measured.model().params().values(), plain.model().params().values());
    }
}

gpu_test! {
    /// The device is destroyed mid-run (as a lost GPU would be): training continues on
    /// the CPU from the last synced state, replaying the steps since, and ends where an
    /// all-CPU run ends. Nothing learned is lost.
    fn a_lost_device_falls_back_to_the_cpu_without_losing_steps(_context) {
        let config = train_config(ModelKind::Ntm);
        let mut trainer = gpu_trainer(config.clone());
        for _ in 0..4 {
            trainer.step().unwrap();
        }
        trainer.sync_blocking().unwrap();
        for _ in 0..3 {
            trainer.step().unwrap();
        }
        trainer.gpu_context().unwrap().destroy();
        for _ in 0..3 {
            trainer.step().unwrap();
        }
        let backend = trainer.backend();
        eprintln!("{backend:?}");
        assert_eq!(backend.kind, "cpu");
        assert!(backend.fallback.as_deref().unwrap().contains("destroyed"), "{backend:?}");
        assert_eq!(trainer.steps_done(), 10);
        let mut reference = Trainer::new(config).unwrap();
        for _ in 0..10 {
            reference.step().unwrap();
        }
        let (difference, at) = largest_difference(reference.model(), reference.model().params().values(), trainer.model().params().values());
        eprintln!("after the fallback, largest parameter difference from an all-CPU run {difference:.2e} ({at})");
        assert!(difference < 1e-3, "{difference} at {at}");
    }
}

gpu_test! {
    /// A live learning-rate change made after the last sync survives a lost device: the
    /// CPU replays the GPU's steps with the old rate up to the change and the new one
    /// from there, and ends where an all-CPU run with the same change ends.
    fn a_live_learning_rate_survives_a_fallback(_context) {
        let config = train_config(ModelKind::Ntm);
        let mut trainer = gpu_trainer(config.clone());
        let mut reference = Trainer::new(config).unwrap();
        for run in [&mut trainer, &mut reference] {
            for _ in 0..3 {
                run.step().unwrap();
            }
        }
        trainer.sync_blocking().unwrap();
        for run in [&mut trainer, &mut reference] {
            for _ in 0..2 {
                run.step().unwrap();
            }
            run.set_learning_rate(1e-4).unwrap();
            for _ in 0..2 {
                run.step().unwrap();
            }
        }
        trainer.gpu_context().unwrap().destroy();
        let report = trainer.step().unwrap();
        reference.step().unwrap();
        assert_eq!(trainer.backend().kind, "cpu");
        assert_eq!(trainer.steps_done(), 8);
        assert_eq!(report.learning_rate, 1e-4, "the step after the fallback uses the live rate");
        assert_eq!(trainer.config().optimizer.learning_rate, 1e-4);
        let (difference, at) = largest_difference(reference.model(), reference.model().params().values(), trainer.model().params().values());
        eprintln!("live rate through a fallback: largest parameter difference from the all-CPU run {difference:.2e} ({at})");
        assert!(difference < 1e-3, "{difference} at {at}");
    }
}

gpu_test! {
    /// `auto` passes over software adapters (they run the kernels on the CPU, slower than
    /// the CPU path) and says so; `gpu` takes them.
    fn auto_passes_over_software_adapters_and_says_why(context) {
        let mut trainer = Trainer::new(train_config(ModelKind::Lstm)).unwrap();
        trainer.select_backend_blocking(BackendChoice::Auto).unwrap();
        let backend = trainer.backend();
        eprintln!("auto: {backend:?}");
        if context.is_software() {
            assert_eq!(backend.kind, "cpu");
            assert!(backend.fallback.unwrap().contains("software"));
        } else {
            assert_eq!(backend.kind, "gpu");
        }
        trainer.select_backend_blocking(BackendChoice::Cpu).unwrap();
        assert_eq!(trainer.backend().kind, "cpu");
    }
}

gpu_test! {
    /// NaN on the GPU: the step is refused as on the CPU, and the parameters stay.
    fn exploding_parameters_are_caught_on_the_gpu_too(_context) {
        let config = train_config(ModelKind::Lstm);
        let mut model = build(&config.architecture, 1).unwrap();
        for v in model.params_mut().values_mut() {
            *v = 3e38;
        }
        let mut trainer = Trainer::with_model(config, model).unwrap();
        trainer.select_backend_blocking(BackendChoice::Gpu).unwrap();
        let error = trainer.step().unwrap_err();
        assert!(matches!(error, EngramError::NonFinite { .. }), "{error}");
        assert_eq!(trainer.steps_done(), 0);
        trainer.sync_blocking().unwrap();
        assert!(trainer.model().params().values().iter().all(|&v| v == 3e38));
    }
}

gpu_test! {
    /// Moving a run between the CPU and the GPU keeps its step count, parameters and
    /// optimiser moments: CPU, then GPU, then CPU again ends where an all-CPU run ends.
    fn switching_backends_mid_run_keeps_everything(_context) {
        let config = train_config(ModelKind::Dnc);
        let mut trainer = Trainer::new(config.clone()).unwrap();
        for choice in [BackendChoice::Cpu, BackendChoice::Gpu, BackendChoice::Cpu] {
            trainer.select_backend_blocking(choice).unwrap();
            assert_eq!(trainer.backend().kind, choice.name());
            for _ in 0..3 {
                trainer.step().unwrap();
            }
        }
        assert_eq!(trainer.steps_done(), 9);
        let mut reference = Trainer::new(config).unwrap();
        for _ in 0..9 {
            reference.step().unwrap();
        }
        let (difference, at) = largest_difference(reference.model(), reference.model().params().values(), trainer.model().params().values());
        eprintln!("CPU → GPU → CPU: largest parameter difference from an all-CPU run {difference:.2e} ({at})");
        assert!(difference < 1e-3, "{difference} at {at}");
    }
}

gpu_test! {
    /// The GPU's reductions are order-fixed (no atomics): the same seed trains the same
    /// bits twice on one device.
    fn the_same_seed_gives_the_same_bits_on_the_gpu(_context) {
        for model in gpu_models() {
            let run = || -> Vec<u32> {
                let mut trainer = gpu_trainer(train_config(model));
                for _ in 0..10 {
                    trainer.step().unwrap();
                }
                trainer.sync_blocking().unwrap();
                trainer.model().params().values().iter().map(|v| v.to_bits()).collect()
            };
            let first = run();
            let differing = first.iter().zip(&run()).filter(|(a, b)| a != b).count();
            assert_eq!(differing, 0, "{model}: {differing} parameters differ between two runs");
        }
    }
}
