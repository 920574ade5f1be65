//! The wasm-bindgen API that the page's Web Worker drives. Every entry point returns a
//! `Result` whose error becomes a JavaScript exception with a readable message; a panic
//! (a bug) is printed to the console by `console_error_panic_hook`.

use super::PlaygroundConfig;
use crate::models::SequenceTrace;
use crate::rng::derive_seed;
use crate::train::{
    check_ram, evaluate, BackendChoice, Checkpoint, LongTest, Trainer, PAGE_BUDGET_MB,
};
use crate::EngramError;
use serde::Serialize;
use std::cell::RefCell;
use std::ops::{Deref, DerefMut};
use wasm_bindgen::prelude::*;

/// Installs the panic hook once; called by the worker before anything else.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("cannot encode a result: {e}")))
}

fn from_js(config: JsValue) -> Result<PlaygroundConfig, JsError> {
    serde_wasm_bindgen::from_value(config)
        .map_err(|e| JsError::new(&format!("invalid configuration: {e}")))
}

/// Every model with its family, objective and metrics, tasks, hyperparameters (bounds
/// and preset defaults), views and GPU support: what `engram schema --json` prints.
#[wasm_bindgen]
pub fn schema() -> Result<JsValue, JsError> {
    to_js(&crate::schema::schema())
}

/// The name of the model a checkpoint holds, from its header alone, so the worker can
/// load the engine module of that model's family before [`Engine::from_checkpoint`]
/// (each module builds one family). Refuses an unreadable header as loading would.
#[wasm_bindgen(js_name = checkpointModel)]
pub fn checkpoint_model(bytes: &[u8]) -> Result<String, JsError> {
    Ok(Checkpoint::model_of(bytes)?.name().to_string())
}

/// One training step's metrics in the model's objective: the loss in bits per
/// sequence, the objective's error (bit errors per sequence, or the fraction of wrong
/// symbols) and, for symbols, the fraction of sequences entirely right.
#[derive(Serialize)]
struct Report {
    step: u64,
    bits: f64,
    errors: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    sequence_accuracy: Option<f64>,
    /// The generative models' bound on the recall frames, bits per frame.
    #[serde(skip_serializing_if = "Option::is_none")]
    recall_bits_per_frame: Option<f64>,
    gradient_norm: f32,
    max_length: usize,
    learning_rate: f32,
    /// Sequences the step trained on (a recipe's bins each have a batch).
    sequences: usize,
}

/// What [`Engine::train`] did: the steps it completed and, if it stopped early, why.
#[derive(Serialize)]
struct TrainChunk {
    reports: Vec<Report>,
    error: Option<String>,
}

/// A model in training, with its optimiser and batch stream. Methods that may touch the
/// GPU are async; the worker calls one at a time (a call while another is pending is
/// refused with "the engine is busy" rather than interleaved).
#[wasm_bindgen]
pub struct Engine {
    /// Empty while a call has the trainer (see [`Lease`]).
    trainer: RefCell<Option<Trainer>>,
    playground: RefCell<PlaygroundConfig>,
    /// The long test in progress, and the optimiser step it began at.
    long_test: RefCell<Option<(LongTest, u64)>>,
}

/// The trainer, taken out of the engine for one call and put back when the call ends,
/// however it ends; a call that finds it gone is refused as busy.
struct Lease<'a> {
    slot: &'a RefCell<Option<Trainer>>,
    trainer: Option<Trainer>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        *self.slot.borrow_mut() = self.trainer.take();
    }
}

impl Deref for Lease<'_> {
    type Target = Trainer;
    fn deref(&self) -> &Trainer {
        self.trainer
            .as_ref()
            .expect("a lease holds its trainer until dropped")
    }
}

impl DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut Trainer {
        self.trainer
            .as_mut()
            .expect("a lease holds its trainer until dropped")
    }
}

impl Engine {
    fn with(trainer: Trainer, playground: PlaygroundConfig) -> Engine {
        Engine {
            trainer: RefCell::new(Some(trainer)),
            playground: RefCell::new(playground),
            long_test: RefCell::new(None),
        }
    }

    fn trainer(&self) -> Result<Lease<'_>, JsError> {
        let trainer = self.trainer.borrow_mut().take();
        match trainer {
            Some(trainer) => Ok(Lease {
                slot: &self.trainer,
                trainer: Some(trainer),
            }),
            None => Err(JsError::new("the engine is busy with another request")),
        }
    }

    /// The trainer with the host model brought up to date with the GPU.
    async fn synced(&self) -> Result<Lease<'_>, JsError> {
        let mut trainer = self.trainer()?;
        trainer.sync().await?;
        Ok(trainer)
    }
}

#[wasm_bindgen]
impl Engine {
    /// A fresh model for the page's configuration (see [`PlaygroundConfig`]), on the CPU
    /// until [`Engine::select_backend`] moves it.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Engine, JsError> {
        let playground = from_js(config)?;
        let train_config = playground.train_config()?;
        // A configuration that would not fit a phone's tab is refused, not attempted.
        check_ram(&train_config, PAGE_BUDGET_MB)?;
        let trainer = Trainer::new(train_config)?;
        Ok(Engine::with(trainer, playground))
    }

    /// Continues from checkpoint bytes (from `engram train` or this page), keeping the
    /// learning rate, batch size and seed of `config`. Refuses corrupt, truncated,
    /// mismatched or non-finite checkpoints with the reason.
    #[wasm_bindgen(js_name = fromCheckpoint)]
    pub fn from_checkpoint(bytes: &[u8], config: JsValue) -> Result<Engine, JsError> {
        let base = from_js(config)?;
        let checkpoint = Checkpoint::from_bytes(bytes)?;
        let train_config = base.checkpoint_train_config(&checkpoint)?;
        let playground = base.for_checkpoint(&checkpoint);
        let trained_steps = checkpoint.trained_steps;
        check_ram(&train_config, PAGE_BUDGET_MB)?;
        let trainer =
            Trainer::with_model(train_config, checkpoint.model)?.resuming_at(trained_steps);
        Ok(Engine::with(trainer, playground))
    }

    /// Moves training to `auto`, `cpu` or `gpu` (WebGPU). The page never insists: a GPU
    /// that cannot be used leaves training on the CPU, and [`Engine::backend`] says why.
    #[wasm_bindgen(js_name = selectBackend)]
    pub async fn select_backend(&self, choice: String) -> Result<JsValue, JsError> {
        let choice: BackendChoice = choice.parse().map_err(|e: String| JsError::new(&e))?;
        let mut trainer = self.trainer()?;
        match trainer.select_backend(choice).await {
            // `gpu` asked for any adapter; without one the page stays on the CPU and
            // says why.
            Err(EngramError::Gpu(reason)) => trainer.note_fallback(reason),
            other => other?,
        }
        to_js(&trainer.backend())
    }

    /// The backend in use: `{kind, device, fallback}`.
    pub fn backend(&self) -> Result<JsValue, JsError> {
        to_js(&self.trainer()?.backend())
    }

    /// Destroys the GPU device, as a lost GPU would be; training continues on the CPU
    /// from the last parameters. For tests and demonstrations of the fallback.
    #[wasm_bindgen(js_name = loseGpuDevice)]
    pub fn lose_gpu_device(&self) -> Result<bool, JsError> {
        let trainer = self.trainer()?;
        Ok(trainer.gpu_context().map(|c| c.destroy()).is_some())
    }

    /// The controls that describe this model (after an import they are the
    /// checkpoint's).
    pub fn config(&self) -> Result<JsValue, JsError> {
        to_js(&*self.playground.borrow())
    }

    /// Changes the learning rate from the next step on, keeping everything learned (the
    /// optimiser's moments included); the decay, if any, continues from it.
    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&self, learning_rate: f32) -> Result<(), JsError> {
        self.trainer()?.set_learning_rate(learning_rate)?;
        self.playground.borrow_mut().learning_rate = learning_rate;
        Ok(())
    }

    /// Parameter count.
    pub fn parameters(&self) -> Result<usize, JsError> {
        Ok(self.trainer()?.model().params().len())
    }

    /// Optimiser steps taken so far.
    #[wasm_bindgen(js_name = stepsDone)]
    pub fn steps_done(&self) -> Result<f64, JsError> {
        Ok(self.trainer()?.steps_done() as f64)
    }

    /// Runs up to `steps` training steps. A NaN or infinity stops the chunk with an
    /// error message and keeps the parameters of the last good step.
    pub async fn train(&self, steps: u32) -> Result<JsValue, JsError> {
        let mut trainer = self.trainer()?;
        let mut chunk = TrainChunk {
            reports: Vec::with_capacity(steps as usize),
            error: None,
        };
        for _ in 0..steps {
            match trainer.step_async().await {
                Ok(r) => chunk.reports.push(Report {
                    step: r.step,
                    bits: r.metrics.bits_per_sequence,
                    errors: r.metrics.error,
                    sequence_accuracy: r.metrics.sequence_accuracy,
                    recall_bits_per_frame: r.metrics.bound.map(|b| b.recall_bits_per_frame),
                    gradient_norm: r.gradient_norm,
                    max_length: r.max_length,
                    learning_rate: r.learning_rate,
                    sequences: r.sequences,
                }),
                Err(e) => {
                    chunk.error = Some(e.to_string());
                    break;
                }
            }
        }
        to_js(&chunk)
    }

    /// One example sequence at task length `length` (the same sequence for the same
    /// `example` number) with every step's memory and weightings: the JSON of
    /// `engram trace --json`.
    pub async fn snapshot(&self, length: usize, example: u32) -> Result<JsValue, JsError> {
        let trainer = self.synced().await?;
        let task = trainer.config().task.at_length(length);
        task.validate()?;
        // Below 2^53, so the seed in the snapshot is exact as a JavaScript number.
        let seed = derive_seed(trainer.config().seed ^ 0x5eed, u64::from(example)) >> 11;
        to_js(&SequenceTrace::record(trainer.model(), &task, seed)?)
    }

    /// A generative model dreams (generation mode, as `engram sample`): the posterior on
    /// the first `prompt` frames of the snapshot's example sequence at task length
    /// `length`, then latents from the prior, with noise drawn from `seed`. The
    /// generative part of a snapshot (`frames`) comes back, its `reconstruction` rows
    /// the dreamt frames.
    pub async fn dream(&self, length: usize, prompt: usize, seed: u32) -> Result<JsValue, JsError> {
        let trainer = self.synced().await?;
        let task = trainer.config().task.at_length(length);
        task.validate()?;
        let example = derive_seed(trainer.config().seed ^ 0x5eed, 0) >> 11;
        let batch = task.batch(1, example);
        let sequence = crate::tasks::SequenceRef {
            noise_seed: derive_seed(u64::from(seed), 0x4452_4541),
            ..batch.sequence(0)
        };
        if prompt > sequence.steps {
            return Err(JsError::new(&format!(
                "the prompt ({prompt} frames) is longer than the sequence ({} frames)",
                sequence.steps
            )));
        }
        let frames = trainer
            .model()
            .frame_trace(
                sequence,
                crate::models::gtmm::Mode::Generation { prompt },
                None,
            )
            .ok_or_else(|| JsError::new("only the generative models (gtmm) dream"))?;
        to_js(&frames)
    }

    /// Metrics at each length over `sequences` sequences, exactly as `engram eval`
    /// computes them for the same seed.
    pub async fn evaluate(
        &self,
        lengths: Vec<u32>,
        sequences: usize,
        seed: u32,
    ) -> Result<JsValue, JsError> {
        if !(1..=4096).contains(&sequences) {
            return Err(JsError::new("sequences must be between 1 and 4096"));
        }
        let trainer = self.synced().await?;
        let task = &trainer.config().task;
        let lengths: Vec<usize> = lengths.into_iter().map(|l| l as usize).collect();
        let metrics = evaluate(
            trainer.model(),
            task,
            &lengths,
            sequences,
            u64::from(seed),
            1,
        )?;
        to_js(&metrics)
    }

    /// Begins a long test: the first sequence `engram eval --lengths {length}
    /// --sequences 1 --seed {seed}` draws, up to 2,049 columns, run by
    /// [`Engine::advance_long_test`] a few steps per call. Refuses a length past the
    /// limit with the limit named. Returns its progress `{length, columns, done, total}`.
    #[wasm_bindgen(js_name = beginLongTest)]
    pub async fn begin_long_test(&self, length: usize, seed: u32) -> Result<JsValue, JsError> {
        let trainer = self.synced().await?;
        let test = LongTest::new(
            trainer.model(),
            &trainer.config().task,
            length,
            u64::from(seed),
        )?;
        let progress = test.progress();
        *self.long_test.borrow_mut() = Some((test, trainer.steps_done()));
        to_js(&progress)
    }

    /// Runs up to `steps` more steps of the long test. Returns its progress, with the
    /// answer (`result`: input, target and output symbols and the wrong count) once the
    /// last step has run. A test whose model has trained since it began is refused.
    #[wasm_bindgen(js_name = advanceLongTest)]
    pub fn advance_long_test(&self, steps: usize) -> Result<JsValue, JsError> {
        let trainer = self.trainer()?;
        let mut slot = self.long_test.borrow_mut();
        let Some((test, began)) = slot.as_mut() else {
            return Err(JsError::new("no long test is running"));
        };
        if *began != trainer.steps_done() {
            *slot = None;
            return Err(JsError::new(
                "the model trained during the long test, so its answer would mix two models; test again",
            ));
        }
        #[derive(Serialize)]
        struct Advanced {
            #[serde(flatten)]
            progress: crate::train::LongTestProgress,
            result: Option<crate::train::LongTestResult>,
        }
        let progress = test.advance(trainer.model(), steps);
        let result = test.finish(trainer.model());
        if result.is_some() {
            *slot = None;
        }
        to_js(&Advanced { progress, result })
    }

    /// The model as `.safetensors` bytes, loadable by `engram eval` and this page.
    #[wasm_bindgen(js_name = exportCheckpoint)]
    pub async fn export_checkpoint(&self) -> Result<Vec<u8>, JsError> {
        let trainer = self.synced().await?;
        Ok(Checkpoint::to_bytes(
            trainer.model(),
            &trainer.config().task,
            trainer.steps_done(),
        )?)
    }
}
